/**
 * Agents whose credential this database does not know: refused at the WebSocket upgrade, with
 * what they claimed in the upgrade's headers (device id, host name, platform: unverified, for a
 * person to recognise the machine), their address and when. After restoring an older backup these
 * are the machines enrolled (or re-enrolled) since, which need the one line that enrolls them
 * again (docs/OPERATIONS.md §9). Bounded: at most MAX_ROWS rows (the oldest go), one per refused
 * credential, each written at most once per WRITE_EVERY_MS, so a reconnecting fleet or a flood of
 * made-up credentials costs a bounded number of writes and rows.
 */
import type { RefusedAgent } from '../../shared/api-types.js';
import type { Db } from './database.js';

export const MAX_REFUSED_ROWS = 1_000;
const WRITE_EVERY_MS = 5 * 60_000;
/** Rows not seen for this long are dropped. */
const KEEP_MS = 30 * 86_400_000;

export type { RefusedAgent };

interface Row {
  token_hash: string;
  device_id: string | null;
  hostname: string | null;
  platform: string | null;
  remote_ip: string | null;
  first_seen_ms: number;
  last_seen_ms: number;
  attempts: number;
  is_known: number;
}

/** Builds the statements once. */
export function createRefusedAgentStore(db: Db) {
  const upsert = db.prepare(
    `INSERT INTO refused_agents (token_hash, device_id, hostname, platform, remote_ip, first_seen_ms, last_seen_ms, attempts)
     VALUES (@tokenHash, @deviceId, @hostname, @platform, @remoteIp, @atMs, @atMs, @attempts)
     ON CONFLICT (token_hash) DO UPDATE SET device_id = excluded.device_id, hostname = excluded.hostname, platform = excluded.platform,
       remote_ip = excluded.remote_ip, last_seen_ms = excluded.last_seen_ms, attempts = attempts + excluded.attempts`,
  );
  const trim = db.prepare(
    `DELETE FROM refused_agents WHERE last_seen_ms < ? OR token_hash IN
       (SELECT token_hash FROM refused_agents ORDER BY last_seen_ms DESC LIMIT -1 OFFSET ${MAX_REFUSED_ROWS})`,
  );
  const list = db.prepare<[], Row>(
    `SELECT r.*, EXISTS (SELECT 1 FROM devices d WHERE d.id = r.device_id) AS is_known FROM refused_agents r ORDER BY r.last_seen_ms DESC`,
  );
  const removeByDevice = db.prepare('DELETE FROM refused_agents WHERE device_id = ? OR hostname = ?');
  const removeById = db.prepare('DELETE FROM refused_agents WHERE substr(token_hash, 1, 16) = ?');
  // Claimed device ids with a row, so a successful connection costs a write only when it settles one.
  const claimed = new Set<string>();
  for (const r of db.prepare<[], { device_id: string | null; hostname: string | null }>('SELECT device_id, hostname FROM refused_agents').all()) {
    if (r.device_id) claimed.add(`id:${r.device_id}`);
    if (r.hostname) claimed.add(`host:${r.hostname}`);
  }
  /** Per credential: when it was last written and the attempts since. */
  const pending = new Map<string, { writtenAtMs: number; attempts: number }>();

  return {
    /** Notes a refused upgrade; writes at most once per credential per 5 minutes. */
    record(r: { tokenHash: string; deviceId?: string; hostname?: string; platform?: string; remoteIp?: string; atMs: number }): void {
      const p = pending.get(r.tokenHash);
      if (p && r.atMs - p.writtenAtMs < WRITE_EVERY_MS) {
        p.attempts++;
        return;
      }
      if (pending.size >= 20_000) pending.clear();
      const attempts = (p?.attempts ?? 0) + 1;
      pending.set(r.tokenHash, { writtenAtMs: r.atMs, attempts: 0 });
      upsert.run({
        tokenHash: r.tokenHash,
        deviceId: r.deviceId ?? null,
        hostname: r.hostname ?? null,
        platform: r.platform ?? null,
        remoteIp: r.remoteIp ?? null,
        atMs: r.atMs,
        attempts,
      });
      trim.run(r.atMs - KEEP_MS);
      if (r.deviceId) claimed.add(`id:${r.deviceId}`);
      if (r.hostname) claimed.add(`host:${r.hostname}`);
    },
    list(): RefusedAgent[] {
      return list.all().map((r) => ({
        id: r.token_hash.slice(0, 16),
        deviceId: r.device_id,
        hostname: r.hostname,
        platform: r.platform,
        remoteIp: r.remote_ip,
        firstSeenMs: r.first_seen_ms,
        lastSeenMs: r.last_seen_ms,
        attempts: r.attempts,
        isKnownDevice: r.is_known === 1,
      }));
    },
    /**
     * A device connected with a valid credential: the refusals of its id, or of its host name (a
     * re-enrolled machine has a new device id), are settled.
     */
    settledBy(deviceId: string, hostname: string): void {
      const byId = claimed.delete(`id:${deviceId}`);
      const byHost = claimed.delete(`host:${hostname}`);
      if (byId || byHost) removeByDevice.run(deviceId, hostname);
    },
    /** Dismisses one entry; false when there was none. */
    remove(id: string): boolean {
      return removeById.run(id).changes > 0;
    },
  };
}
export type RefusedAgentStore = ReturnType<typeof createRefusedAgentStore>;
