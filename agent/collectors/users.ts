import { readFile } from 'node:fs/promises';
import { loadSi } from '../si.js';
import { cleanText, pushSample, type Collector, type CollectorOutput } from './types.js';

type UserSession = NonNullable<import('../../shared/protocol.js').InventorySections['users']>[number];

/** A login as systeminformation lists it (the fields used here). */
export interface RawUser {
  user: string;
  tty?: string;
  date?: string;
  time?: string;
  ip?: string;
}

/** Login time from `who`-style local date (YYYY-MM-DD) and time (HH:MM); undefined when unreadable. */
export function parseLoginTime(date: string | undefined, time: string | undefined): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date?.trim() ?? '');
  const t = /^(\d{1,2}):(\d{2})/.exec(time?.trim() ?? '');
  if (!m || !t) return undefined;
  const ms = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(t[1]), Number(t[2])).getTime();
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Maps raw logins to inventory sessions, dropping nameless ones. */
export function toSessions(raw: readonly RawUser[]): UserSession[] {
  const out: UserSession[] = [];
  for (const u of raw) {
    const user = cleanText(u.user, 100);
    if (!user) continue;
    const terminal = cleanText(u.tty, 100);
    const host = cleanText(u.ip, 255);
    const loginAtMs = parseLoginTime(u.date, u.time);
    out.push({ user, ...(terminal ? { terminal } : {}), ...(host ? { host } : {}), ...(loginAtMs !== undefined ? { loginAtMs } : {}) });
  }
  return out.slice(0, 500);
}

/** glibc `struct utmp` on 64-bit Linux (x86_64, aarch64): 384-byte records. */
const UTMP_RECORD_BYTES = 384;
const USER_PROCESS = 7;

/** Parses /var/run/utmp into the sessions of logged-in users (what `who` prints). */
export function parseUtmp(buf: Buffer): UserSession[] {
  const out: UserSession[] = [];
  const str = (offset: number, len: number) => {
    const raw = buf.subarray(offset, offset + len);
    const end = raw.indexOf(0);
    return raw.subarray(0, end < 0 ? len : end).toString('utf8');
  };
  for (let off = 0; off + UTMP_RECORD_BYTES <= buf.length; off += UTMP_RECORD_BYTES) {
    if (buf.readInt32LE(off) !== USER_PROCESS) continue;
    const user = cleanText(str(off + 44, 32), 100);
    if (!user) continue;
    const terminal = cleanText(str(off + 8, 32), 100);
    const host = cleanText(str(off + 76, 256), 255);
    const sec = buf.readInt32LE(off + 340);
    out.push({ user, ...(terminal ? { terminal } : {}), ...(host ? { host } : {}), ...(sec > 0 ? { loginAtMs: sec * 1000 } : {}) });
  }
  return out.slice(0, 500);
}

async function readLinux(): Promise<UserSession[]> {
  for (const file of ['/run/utmp', '/var/run/utmp']) {
    const buf = await readFile(file).catch(() => undefined);
    if (buf) return parseUtmp(buf);
  }
  return []; // no utmp (containers): nobody logged in as far as anyone can tell
}

async function readPortable(): Promise<UserSession[]> {
  return toSessions(await (await loadSi()).users());
}

/** users.loggedInCount and the sessions inventory, every minute (Linux: utmp; elsewhere systeminformation). */
export function createUsersCollector(intervalMs = 60_000, platform: NodeJS.Platform = process.platform): Collector {
  const read = platform === 'linux' ? readLinux : readPortable;
  return {
    name: 'users',
    intervalMs,
    timeoutMs: 15_000,
    async init() {
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      const sessions = await read();
      const samples: CollectorOutput['samples'] = [];
      pushSample(samples, 'users.loggedInCount', sessions.length);
      return { samples, inventory: { users: sessions } };
    },
  };
}
