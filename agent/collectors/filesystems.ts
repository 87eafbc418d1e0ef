import { readFile, statfs } from 'node:fs/promises';
import { loadSi } from '../si.js';
import type { Sample } from '../../shared/protocol.js';
import { clampPct, MAX_LABEL_VALUE_LENGTH, pushSample, type Collector } from './types.js';

/**
 * Filesystem types that are not disks a technician can fill: kernel pseudo filesystems, RAM-backed
 * ones, read-only images (their 100 % usage is by design), and network mounts, whose fullness
 * belongs to the file server and whose statfs can hang for minutes when the server is gone.
 */
const SKIPPED_TYPES = new Set([
  'tmpfs',
  'devtmpfs',
  'ramfs',
  'overlay',
  'squashfs',
  'proc',
  'sysfs',
  'devpts',
  'cgroup',
  'cgroup2',
  'securityfs',
  'pstore',
  'debugfs',
  'tracefs',
  'configfs',
  'fusectl',
  'mqueue',
  'hugetlbfs',
  'autofs',
  'bpf',
  'binfmt_misc',
  'rpc_pipefs',
  'nsfs',
  'efivarfs',
  'selinuxfs',
  'iso9660',
  'udf',
  'nfs',
  'nfs4',
  'cifs',
  'smb3',
  'smbfs',
  'fuse.sshfs',
  'fuse.lxcfs',
  'fuse.gvfsd-fuse',
  'fuse.portal',
  'fuse.snapfuse',
  'devfs',
  'nullfs',
]);

/** True for filesystem types the collector never reports (pseudo, RAM, image or network). */
export function isSkippedFilesystem(type: string): boolean {
  return SKIPPED_TYPES.has(type.toLowerCase());
}

/** One line of /proc/self/mounts. */
export interface MountEntry {
  readonly device: string;
  readonly mount: string;
  readonly type: string;
}

// /proc/mounts escapes space, tab, newline and backslash as octal (\040 …).
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses /proc/self/mounts and keeps real disks only: skipped types are dropped and a device
 * mounted twice (bind mounts, containers) is reported once, at its first mount point.
 */
export function parseMounts(text: string): MountEntry[] {
  const seenDevices = new Set<string>();
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [device, mount, type] = line.split(' ');
    if (!device || !mount || !type || isSkippedFilesystem(type)) continue;
    if (seenDevices.has(device)) continue;
    seenDevices.add(device);
    out.push({ device: unescapeMountField(device), mount: unescapeMountField(mount), type });
  }
  return out;
}

function pushFilesystem(out: Sample[], mount: string, sizeBytes: number, usedBytes: number, availBytes: number): void {
  // size 0 is a pseudo filesystem we did not know by type; long paths do not fit a label.
  if (!(sizeBytes > 0) || mount.length > MAX_LABEL_VALUE_LENGTH) return;
  const labels = { mount };
  pushSample(out, 'fs.sizeBytes', sizeBytes, labels);
  pushSample(out, 'fs.usedBytes', usedBytes, labels);
  // Like df: the share of what non-root users can use, so "100 %" means writes fail.
  const usable = usedBytes + availBytes;
  if (usable > 0) pushSample(out, 'fs.usedPct', clampPct((usedBytes / usable) * 100), labels);
}

/** Linux: /proc/self/mounts + statfs per mount, instead of si.fsSize() spawning `df` each cycle. */
function createLinuxReader(): () => Promise<Sample[]> {
  // A mount whose statfs has not returned yet is skipped rather than stacked up on the thread pool.
  const busy = new Set<string>();
  return async () => {
    const mounts = parseMounts(await readFile('/proc/self/mounts', 'utf8'));
    const out: Sample[] = [];
    await Promise.all(
      mounts.map(async ({ mount }) => {
        if (busy.has(mount)) return;
        busy.add(mount);
        try {
          const s = await statfs(mount);
          pushFilesystem(out, mount, s.blocks * s.bsize, (s.blocks - s.bfree) * s.bsize, s.bavail * s.bsize);
        } catch {
          // Unmounted between reading the table and statfs, or no permission: nothing to report.
        } finally {
          busy.delete(mount);
        }
      }),
    );
    return out;
  };
}

async function readPortable(): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const f of await (await loadSi()).fsSize()) {
    if (isSkippedFilesystem(f.type)) continue;
    pushFilesystem(out, f.mount, f.size, f.used, f.available);
  }
  return out;
}

/** fs.usedPct of one mount from statfs, as pushFilesystem computes it; undefined when it has no size. */
async function usedPctOf(mount: string): Promise<number | undefined> {
  const s = await statfs(mount);
  const used = (s.blocks - s.bfree) * s.bsize;
  const usable = used + s.bavail * s.bsize;
  return s.blocks > 0 && usable > 0 ? clampPct((used / usable) * 100) : undefined;
}

/**
 * fs.sizeBytes / fs.usedBytes / fs.usedPct per mount (label `mount`). The watch reads fs.usedPct
 * with one statfs per mount the last collect() reported (no mount table, no `df`); a new mount
 * is watched from the report after it appeared.
 */
export function createFilesystemsCollector(platform: NodeJS.Platform = process.platform): Collector {
  const readAll = platform === 'linux' ? createLinuxReader() : readPortable;
  let mounts: string[] = [];
  const read = async (): Promise<Sample[]> => {
    const out = await readAll();
    mounts = out.filter((s) => s.name === 'fs.usedPct').map((s) => s.labels!.mount!);
    return out;
  };
  const watching = new Set<string>();
  return {
    name: 'filesystems',
    async init() {
      return (await read()).length > 0;
    },
    collect: read,
    watchable: ['fs.usedPct'],
    async watch() {
      const out: Sample[] = [];
      await Promise.all(
        mounts.map(async (mount) => {
          // A statfs that hangs (a dying disk) is not stacked up once per second.
          if (watching.has(mount)) return;
          watching.add(mount);
          try {
            pushSample(out, 'fs.usedPct', await usedPctOf(mount), { mount });
          } catch {
            // Unmounted since the last report.
          } finally {
            watching.delete(mount);
          }
        }),
      );
      return out;
    },
  };
}
