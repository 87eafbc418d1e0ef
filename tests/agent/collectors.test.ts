import { describe, expect, it } from 'vitest';
import { busyPct, createCpuCollector, type CpuTimes } from '../../agent/collectors/cpu.js';
import { createFilesystemsCollector, parseMounts } from '../../agent/collectors/filesystems.js';
import { defaultCollectors } from '../../agent/collectors/index.js';
import { createLoadCollector } from '../../agent/collectors/load.js';
import { createMemoryCollector } from '../../agent/collectors/memory.js';
import { createNetworkCollector, parseProcNetDev, type IfaceCounters } from '../../agent/collectors/network.js';
import { createSystemCollector } from '../../agent/collectors/system.js';
import type { Collector } from '../../agent/collectors/types.js';
import { findMetric } from '../../shared/metrics.js';
import { inventorySectionsSchema, sampleSchema, type Sample } from '../../shared/protocol.js';

async function collectValid(c: Collector): Promise<Sample[]> {
  expect(await c.init()).toBe(true);
  const out = await c.collect();
  const samples = Array.isArray(out) ? out : out.samples;
  for (const s of samples) expect(sampleSchema.safeParse(s), JSON.stringify(s)).toMatchObject({ success: true });
  return samples;
}

const names = (samples: Sample[]) => [...new Set(samples.map((s) => s.name))].sort();
const linuxOnly = process.platform === 'linux' ? it : it.skip;

describe('collectors on this machine', () => {
  it('cpu: total and one sample per core, 0–100', async () => {
    const samples = await collectValid(createCpuCollector());
    expect(names(samples)).toEqual(['cpu.coreLoadPct', 'cpu.loadPct']);
    const cores = samples.filter((s) => s.name === 'cpu.coreLoadPct').map((s) => s.labels?.core);
    expect(cores).toEqual(Array.from({ length: cores.length }, (_, i) => String(i)));
    for (const s of samples) {
      expect(s.value).toBeGreaterThanOrEqual(0);
      expect(s.value).toBeLessThanOrEqual(100);
    }
  });

  it('memory: totals that add up', async () => {
    const samples = await collectValid(createMemoryCollector());
    expect(names(samples)).toEqual(['mem.availableBytes', 'mem.totalBytes', 'mem.usedBytes', 'mem.usedPct', 'swap.totalBytes', 'swap.usedBytes']);
    const v = Object.fromEntries(samples.map((s) => [s.name, s.value]));
    expect(v['mem.totalBytes']).toBeGreaterThan(0);
    expect(v['mem.usedBytes']! + v['mem.availableBytes']!).toBe(v['mem.totalBytes']);
  });

  it('filesystems: real mounts only, with the mount label', async () => {
    const samples = await collectValid(createFilesystemsCollector());
    expect(names(samples)).toEqual(['fs.sizeBytes', 'fs.usedBytes', 'fs.usedPct']);
    const mounts = new Set(samples.map((s) => s.labels?.mount));
    expect(mounts.has('/dev/shm')).toBe(false); // tmpfs
    expect(mounts.has('/proc')).toBe(false);
  });

  it('load and system', async () => {
    expect(names(await collectValid(createLoadCollector()))).toEqual(['load.avg1', 'load.avg15', 'load.avg5']);
    const system = await collectValid(createSystemCollector());
    expect(names(system)).toEqual(['proc.count', 'system.uptimeSec']);
    expect(system.find((s) => s.name === 'proc.count')!.value).toBeGreaterThan(0);
  });

  it('every default collector either declines in init() or produces valid samples with the label keys of metrics.ts', async () => {
    for (const c of defaultCollectors({ watchedServices: () => ['ssh', 'cron'] })) {
      if (!(await c.init())) continue;
      const out = await c.collect();
      const samples = Array.isArray(out) ? out : out.samples;
      if (!Array.isArray(out) && out.inventory) {
        expect(inventorySectionsSchema.safeParse(out.inventory).success, `${c.name}: ${JSON.stringify(out.inventory).slice(0, 500)}`).toBe(true);
      }
      for (const s of samples) {
        expect(sampleSchema.safeParse(s).success, `${c.name}: ${JSON.stringify(s)}`).toBe(true);
        expect(Object.keys(s.labels ?? {})).toEqual(findMetric(s.name)!.labelKeys);
      }
    }
  });

  linuxOnly('load collector declines on Windows (no load average there)', async () => {
    expect(await createLoadCollector('win32').init()).toBe(false);
  });
});

describe('collector parsing and arithmetic', () => {
  it('parseMounts skips pseudo filesystems and repeated devices, and unescapes paths', () => {
    const text = [
      'proc /proc proc rw 0 0',
      'tmpfs /run tmpfs rw 0 0',
      'overlay / overlay rw 0 0',
      '/dev/loop0 /snap/core squashfs ro 0 0',
      '/dev/sda1 / ext4 rw 0 0',
      '/dev/sda1 /var/lib/docker ext4 rw 0 0',
      '/dev/sdb1 /mnt/My\\040Disk xfs rw 0 0',
      '',
    ].join('\n');
    expect(parseMounts(text)).toEqual([
      { device: '/dev/sda1', mount: '/', type: 'ext4' },
      { device: '/dev/sdb1', mount: '/mnt/My Disk', type: 'xfs' },
    ]);
  });

  it('busyPct is the non-idle share of the elapsed CPU time', () => {
    const t = (busy: number, idle: number): CpuTimes => ({ user: busy, nice: 0, sys: 0, idle, irq: 0 });
    expect(busyPct(t(100, 100), t(175, 125))).toBe(75);
    expect(busyPct(t(100, 100), t(100, 100))).toBeUndefined();
  });

  it('parseProcNetDev reads rx and tx byte columns', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    3193      29    0    0    0     0          0         0     3193      29    0    0    0     0       0          0
  eth0: 1000 5 0 0 0 0 0 0 2000 7 0 0 0 0 0 0
`;
    expect(parseProcNetDev(text)).toEqual([
      { iface: 'lo', rxBytes: 3193, txBytes: 3193 },
      { iface: 'eth0', rxBytes: 1000, txBytes: 2000 },
    ]);
  });

  it('network rates come from counter deltas; loopback, new interfaces and counter resets yield nothing', async () => {
    let now = 0;
    let counters: IfaceCounters[] = [];
    const c = createNetworkCollector({ readCounters: async () => counters, nowMs: () => now });
    counters = [
      { iface: 'lo', rxBytes: 0, txBytes: 0 },
      { iface: 'eth0', rxBytes: 1_000, txBytes: 500 },
    ];
    expect(await c.init()).toBe(true);
    now = 2_000;
    counters = [
      { iface: 'lo', rxBytes: 9_999, txBytes: 9_999 },
      { iface: 'eth0', rxBytes: 5_000, txBytes: 1_500 },
      { iface: 'wg0', rxBytes: 10, txBytes: 10 },
    ];
    expect(await c.collect()).toEqual([
      { name: 'net.rxBytesPerSec', labels: { iface: 'eth0' }, value: 2_000 },
      { name: 'net.txBytesPerSec', labels: { iface: 'eth0' }, value: 500 },
    ]);
    now = 3_000;
    counters = [
      { iface: 'eth0', rxBytes: 10, txBytes: 1_600 },
      { iface: 'wg0', rxBytes: 110, txBytes: 20 },
    ];
    expect(await c.collect()).toEqual([
      { name: 'net.rxBytesPerSec', labels: { iface: 'wg0' }, value: 100 },
      { name: 'net.txBytesPerSec', labels: { iface: 'wg0' }, value: 10 },
    ]);
  });
});

describe('updates collector', () => {
  it('parses an apt simulation: packages, security count', async () => {
    const { parseAptSimulation } = await import('../../agent/collectors/updates.js');
    const text = [
      'NOTE: This is only a simulation!',
      'Inst openssl [3.0.11-1~deb12u1] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])',
      'Inst tzdata [2024a-0+deb12u1] (2024b-0+deb12u1 Debian:12.7/stable [all])',
      'Conf openssl (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])',
    ].join('\n');
    expect(parseAptSimulation(text)).toEqual({ pendingCount: 2, securityCount: 1, source: 'apt', packages: ['openssl', 'tzdata'] });
  });

  it('re-runs the expensive check only when the package state changed', async () => {
    const { cachedByFingerprint } = await import('../../agent/collectors/updates.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-updates-'));
    const status = path.join(dir, 'status');
    fs.writeFileSync(status, 'a');
    let runs = 0;
    const read = cachedByFingerprint(async () => ({ pendingCount: ++runs, source: 'apt' }), [status]);
    expect((await read()).pendingCount).toBe(1);
    expect((await read()).pendingCount).toBe(1);
    fs.utimesSync(status, new Date(), new Date(Date.now() + 5_000));
    expect((await read()).pendingCount).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('services collector', () => {
  it('parses systemctl show blocks in argument order, with not-found units', async () => {
    const { parseSystemctlShow, systemdUnitName } = await import('../../agent/collectors/services.js');
    const text =
      'Id=nginx.service\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\nId=nope.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n';
    expect(parseSystemctlShow(text)).toEqual([
      { name: 'nginx.service', loadState: 'loaded', activeState: 'active', unitFileState: 'enabled' },
      { name: 'nope.service', loadState: 'not-found', activeState: 'inactive', unitFileState: '' },
    ]);
    expect(systemdUnitName('nginx')).toBe('nginx.service');
    expect(systemdUnitName('docker.socket')).toBe('docker.socket');
  });
});
