/** Maintenance policies as stored (migration 018). */
import type { Db } from './database.js';
import type { MaintenancePolicyView } from '../../shared/api-types.js';

/** One policy, as the API shows it. */
export type MaintenancePolicy = MaintenancePolicyView;

interface Row {
  id: string;
  client_id: string;
  name: string;
  task: string;
  params_json: string;
  window_id: string;
  pilot_device_ids_json: string;
  ring_delay_days: number;
  excluded_device_ids_json: string;
  hold_others_days: number | null;
  device_params_json: string;
  is_enabled: number;
  created_at_ms: number;
  created_by: string;
  last_run_start_ms: number | null;
  pilot_run_start_ms: number | null;
  rest_due_after_ms: number | null;
}

const toPolicy = (r: Row): MaintenancePolicy => ({
  id: r.id,
  clientId: r.client_id,
  name: r.name,
  task: r.task,
  params: JSON.parse(r.params_json) as Record<string, unknown>,
  windowId: r.window_id,
  pilotDeviceIds: JSON.parse(r.pilot_device_ids_json) as string[],
  ringDelayDays: r.ring_delay_days,
  excludedDeviceIds: JSON.parse(r.excluded_device_ids_json) as string[],
  holdOthersDays: r.hold_others_days,
  deviceParams: JSON.parse(r.device_params_json) as Record<string, Record<string, unknown>>,
  isEnabled: r.is_enabled === 1,
  createdAtMs: r.created_at_ms,
  createdBy: r.created_by,
  lastRunStartMs: r.last_run_start_ms,
  pilotRunStartMs: r.pilot_run_start_ms,
  restDueAfterMs: r.rest_due_after_ms,
});

/** Builds the statements once. */
export function createMaintenancePolicyStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO maintenance_policies (id, client_id, name, task, params_json, window_id, pilot_device_ids_json, ring_delay_days, excluded_device_ids_json,
       hold_others_days, device_params_json, is_enabled, created_at_ms, created_by)
     VALUES (@id, @clientId, @name, @task, @paramsJson, @windowId, @pilotJson, @ringDelayDays, @excludedJson, @holdOthersDays, @deviceParamsJson, @isEnabled,
       @createdAtMs, @createdBy)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM maintenance_policies WHERE id = ?');
  const list = db.prepare<{ clientId: string | null }, Row>(
    'SELECT * FROM maintenance_policies WHERE (@clientId IS NULL OR client_id = @clientId) ORDER BY name, id',
  );
  const enabled = db.prepare<[], Row>('SELECT * FROM maintenance_policies WHERE is_enabled = 1 ORDER BY id');
  const del = db.prepare<[string]>('DELETE FROM maintenance_policies WHERE id = ?');
  const ran = db.prepare<{ id: string; lastRunStartMs: number; pilotRunStartMs: number | null; restDueAfterMs: number | null }>(
    'UPDATE maintenance_policies SET last_run_start_ms = @lastRunStartMs, pilot_run_start_ms = @pilotRunStartMs, rest_due_after_ms = @restDueAfterMs WHERE id = @id',
  );
  const pilotFailures = db.prepare<[string, number], { n: number }>(
    "SELECT count(*) AS n FROM jobs WHERE policy_id = ? AND policy_run_ms = ? AND state IN ('failed', 'refused', 'expired')",
  );
  const tagJob = db.prepare<[string, number, string]>('UPDATE jobs SET policy_id = ?, policy_run_ms = ? WHERE id = ?');
  return {
    insert(p: Omit<MaintenancePolicy, 'lastRunStartMs' | 'pilotRunStartMs' | 'restDueAfterMs'>): void {
      insert.run({
        ...p,
        paramsJson: JSON.stringify(p.params),
        pilotJson: JSON.stringify(p.pilotDeviceIds),
        excludedJson: JSON.stringify(p.excludedDeviceIds),
        deviceParamsJson: JSON.stringify(p.deviceParams),
        isEnabled: p.isEnabled ? 1 : 0,
      });
    },
    find(id: string): MaintenancePolicy | undefined {
      const r = byId.get(id);
      return r && toPolicy(r);
    },
    list(clientId: string | null): MaintenancePolicy[] {
      return list.all({ clientId }).map(toPolicy);
    },
    listEnabled(): MaintenancePolicy[] {
      return enabled.all().map(toPolicy);
    },
    delete(id: string): void {
      del.run(id);
    },
    /** Records a run: the occurrence, the pilot run the rest wait for, and from when. */
    markRun(id: string, lastRunStartMs: number, pilotRunStartMs: number | null, restDueAfterMs: number | null): void {
      ran.run({ id, lastRunStartMs, pilotRunStartMs, restDueAfterMs });
    },
    /** Pilot jobs of a run that failed, were refused or expired. */
    pilotFailures(id: string, runStartMs: number): number {
      return pilotFailures.get(id, runStartMs)?.n ?? 0;
    },
    /** Marks a job as made by a policy run. */
    tagJob(jobId: string, policyId: string, runStartMs: number): void {
      tagJob.run(policyId, runStartMs, jobId);
    },
  };
}
export type MaintenancePolicyStore = ReturnType<typeof createMaintenancePolicyStore>;
