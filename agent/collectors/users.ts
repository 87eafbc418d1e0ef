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

/** users.loggedInCount and the sessions inventory, every minute. */
export function createUsersCollector(intervalMs = 60_000): Collector {
  return {
    name: 'users',
    intervalMs,
    timeoutMs: 15_000,
    async init() {
      return true;
    },
    async collect(): Promise<CollectorOutput> {
      const si = await loadSi();
      const sessions = toSessions(await si.users());
      const samples: CollectorOutput['samples'] = [];
      pushSample(samples, 'users.loggedInCount', sessions.length);
      return { samples, inventory: { users: sessions } };
    },
  };
}
