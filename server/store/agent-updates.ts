/**
 * Agent self-update: which version the server wants each device to run, and what each agent last
 * said about an update. The wanted version is resolved from policies, most specific first —
 * device, then its client, then the whole fleet — and without any policy it is the server's own
 * version. A policy is `server` (follow the server's version), `version` (exactly this one: roll
 * a new version out to one client first, or keep everyone on an older one) or `hold` (announce
 * nothing: the agents keep what they run). docs/DEPLOYMENT.md §6.
 */
import type { AgentConfig, UpdateStatus } from '../../shared/protocol.js';
import type { AgentSettingsStore } from './agent-settings.js';
import type { Db } from './database.js';

export type UpdateScope = 'fleet' | 'client' | 'device';
export type UpdatePolicy = { mode: 'server' } | { mode: 'hold' } | { mode: 'version'; version: string };

/** A stored policy with where it applies. */
export interface ScopedUpdatePolicy {
  scope: UpdateScope;
  /** Client or device id; '' for the fleet. */
  scopeId: string;
  policy: UpdatePolicy;
  updatedAtMs: number;
}

/** Where a device's wanted version comes from. */
export interface WantedVersion {
  /** The version the server announces; null while held. */
  version: string | null;
  /** The policy that decided it ('default' = no policy: the server's version). */
  from: UpdateScope | 'default';
}

/** A device's update state as the fleet shows it. */
export type AgentUpdateState = 'current' | 'pending' | 'installing' | 'failed' | 'held' | 'unknown';

interface PolicyRow {
  scope: UpdateScope;
  scope_id: string;
  mode: UpdatePolicy['mode'];
  version: string | null;
  updated_at_ms: number;
}

const toPolicy = (r: PolicyRow): UpdatePolicy => (r.mode === 'version' ? { mode: 'version', version: r.version! } : { mode: r.mode });

/** The state shown for a device: what it runs against what is wanted, and its last report. */
export function updateStateOf(agentVersion: string | null, wanted: string | null, last: { state: string | null; version: string | null }): AgentUpdateState {
  if (wanted === null) return 'held';
  if (agentVersion === null) return 'unknown';
  if (agentVersion === wanted) return 'current';
  if (last.version === wanted && last.state === 'failed') return 'failed';
  if (last.version === wanted && last.state === 'installing') return 'installing';
  return 'pending';
}

interface StatusRow {
  id: string;
  client_id: string;
  hostname: string;
  agent_version: string | null;
  update_state: string | null;
  update_version: string | null;
  update_code: string | null;
  update_message: string | null;
  update_at_ms: number | null;
}

/** One agent device in the update list (GET /api/agent-updates). */
export interface DeviceUpdateStatus {
  deviceId: string;
  clientId: string;
  hostname: string;
  /** The version the agent said in its last hello; null before its first connection. */
  agentVersion: string | null;
  /** What the server announces to it; null while held. */
  wantedVersion: string | null;
  /** Which policy decided wantedVersion. */
  wantedFrom: WantedVersion['from'];
  state: AgentUpdateState;
  /** The agent's last word about an update: version, state, code and message in plain words, when. */
  lastReport: { version: string; state: string; code: string | null; message: string | null; atMs: number } | null;
}

/** Builds the statements once. */
export function createAgentUpdateStore(db: Db, serverVersion: string) {
  const all = db.prepare<[], PolicyRow>('SELECT scope, scope_id, mode, version, updated_at_ms FROM agent_update_policies ORDER BY scope, scope_id');
  const forDevice = db.prepare<[string, string], PolicyRow>(
    `SELECT scope, scope_id, mode, version, updated_at_ms FROM agent_update_policies
      WHERE (scope = 'device' AND scope_id = ?) OR (scope = 'client' AND scope_id = ?) OR scope = 'fleet'`,
  );
  const clientOf = db.prepare<[string], { client_id: string }>('SELECT client_id FROM devices WHERE id = ?');
  const upsert = db.prepare(
    `INSERT INTO agent_update_policies (scope, scope_id, mode, version, updated_at_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scope, scope_id) DO UPDATE SET mode = excluded.mode, version = excluded.version, updated_at_ms = excluded.updated_at_ms`,
  );
  const remove = db.prepare('DELETE FROM agent_update_policies WHERE scope = ? AND scope_id = ?');
  const statusRows = db.prepare<[], StatusRow>(
    `SELECT id, client_id, hostname, agent_version, update_state, update_version, update_code, update_message, update_at_ms
       FROM devices WHERE kind = 'agent' ORDER BY hostname, id`,
  );
  const putStatus = db.prepare('UPDATE devices SET update_state = ?, update_version = ?, update_code = ?, update_message = ?, update_at_ms = ? WHERE id = ?');

  function resolve(rows: readonly PolicyRow[]): WantedVersion {
    for (const scope of ['device', 'client', 'fleet'] as const) {
      const r = rows.find((x) => x.scope === scope);
      if (!r) continue;
      const p = toPolicy(r);
      return { version: p.mode === 'hold' ? null : p.mode === 'version' ? p.version : serverVersion, from: scope };
    }
    return { version: serverVersion, from: 'default' };
  }

  function wantedFor(deviceId: string): WantedVersion {
    const clientId = clientOf.get(deviceId)?.client_id ?? '';
    return resolve(forDevice.all(deviceId, clientId));
  }

  function resolver(): (deviceId: string, clientId: string) => WantedVersion {
    const rows = all.all();
    return (deviceId, clientId) =>
      resolve(
        rows.filter((r) => r.scope === 'fleet' || (r.scope === 'client' && r.scope_id === clientId) || (r.scope === 'device' && r.scope_id === deviceId)),
      );
  }

  return {
    serverVersion,
    /** Every stored policy. */
    list(): ScopedUpdatePolicy[] {
      return all.all().map((r) => ({ scope: r.scope, scopeId: r.scope_id, policy: toPolicy(r), updatedAtMs: r.updated_at_ms }));
    },
    /** The policy stored for exactly this scope, if any. */
    get(scope: UpdateScope, scopeId: string): UpdatePolicy | undefined {
      const r = all.all().find((x) => x.scope === scope && x.scope_id === scopeId);
      return r ? toPolicy(r) : undefined;
    },
    /** Sets (or with undefined removes) the policy of a scope. */
    set(scope: UpdateScope, scopeId: string, policy: UpdatePolicy | undefined, nowMs: number): void {
      if (!policy) remove.run(scope, scopeId);
      else upsert.run(scope, scopeId, policy.mode, policy.mode === 'version' ? policy.version : null, nowMs);
    },
    wantedFor,
    /**
     * The wanted version of every device from one read of the policies (the fleet list):
     * a function of (deviceId, clientId).
     */
    resolver,
    /** Every agent device with its version, the wanted one and its update state. */
    statuses(): DeviceUpdateStatus[] {
      const wanted = resolver();
      return statusRows.all().map((r) => {
        const w = wanted(r.id, r.client_id);
        return {
          deviceId: r.id,
          clientId: r.client_id,
          hostname: r.hostname,
          agentVersion: r.agent_version,
          wantedVersion: w.version,
          wantedFrom: w.from,
          state: updateStateOf(r.agent_version, w.version, { state: r.update_state, version: r.update_version }),
          lastReport:
            r.update_state && r.update_version && r.update_at_ms !== null
              ? { version: r.update_version, state: r.update_state, code: r.update_code, message: r.update_message, atMs: r.update_at_ms }
              : null,
        };
      });
    },
    /** Records what an agent said in an updateStatus frame. */
    recordStatus(deviceId: string, status: UpdateStatus, receivedAtMs: number): void {
      putStatus.run(status.state, status.version, status.code ?? null, status.message ?? null, receivedAtMs, deviceId);
    },
  };
}
export type AgentUpdateStore = ReturnType<typeof createAgentUpdateStore>;

/** The settings store, with `update: { version }` added to each device's effective config while a version is wanted. */
export function withUpdateConfig(settings: AgentSettingsStore, updates: Pick<AgentUpdateStore, 'wantedFor'>): AgentSettingsStore {
  return {
    ...settings,
    effective(deviceId, agentIntervalMs): AgentConfig {
      const config = settings.effective(deviceId, agentIntervalMs);
      const { version } = updates.wantedFor(deviceId);
      return version === null ? config : { ...config, update: { version } };
    },
  };
}
