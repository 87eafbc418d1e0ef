/** Maintenance jobs as stored (migration 017). State changes are conditional updates: a late or repeated status never moves a job backwards. */
import type { JobState } from '../../shared/job-constants.js';
import type { JobView } from '../../shared/api-types.js';
import type { Db } from './database.js';

/** One job of one device, as the API shows it. */
export type JobRecord = JobView;

interface Row {
  id: string;
  device_id: string;
  client_id: string;
  task: string;
  params_json: string;
  not_before_ms: number;
  not_after_ms: number;
  nonce: string;
  incident_id: string | null;
  state: JobState;
  created_at_ms: number;
  created_by: string;
  sent_at_ms: number | null;
  started_at_ms: number | null;
  finished_at_ms: number | null;
  code: string | null;
  message: string | null;
  exit_code: number | null;
  duration_ms: number | null;
  output: string | null;
  output_bytes: number | null;
  output_sha256: string | null;
  result_json: string | null;
}

const toJob = (r: Row): JobRecord => ({
  id: r.id,
  deviceId: r.device_id,
  clientId: r.client_id,
  task: r.task,
  params: JSON.parse(r.params_json) as Record<string, unknown>,
  notBeforeMs: r.not_before_ms,
  notAfterMs: r.not_after_ms,
  nonce: r.nonce,
  incidentId: r.incident_id,
  state: r.state,
  createdAtMs: r.created_at_ms,
  createdBy: r.created_by,
  sentAtMs: r.sent_at_ms,
  startedAtMs: r.started_at_ms,
  finishedAtMs: r.finished_at_ms,
  code: r.code,
  message: r.message,
  exitCode: r.exit_code,
  durationMs: r.duration_ms,
  output: r.output,
  outputBytes: r.output_bytes,
  outputSha256: r.output_sha256,
  result: r.result_json === null ? null : (JSON.parse(r.result_json) as Record<string, unknown>),
});

/** What a finished (or refused) status stores. */
export type JobOutcome = Pick<JobRecord, 'code' | 'message' | 'exitCode' | 'durationMs' | 'output' | 'outputBytes' | 'outputSha256' | 'result'> & {
  state: 'done' | 'failed' | 'refused';
  atMs: number;
};

/** One device's patch compliance as the query returns it. */
export interface ComplianceRow {
  device_id: string;
  hostname: string;
  client_id: string;
  client_name: string;
  last_scan_at_ms: number | null;
  scan_pending: number | null;
  scan_security: number | null;
  last_install_state: string | null;
  last_install_ok_at_ms: number | null;
  failed_recent: number;
}

/** Builds the statements once. */
export function createJobStore(db: Db) {
  const insert = db.prepare(
    `INSERT INTO jobs (id, device_id, client_id, task, params_json, not_before_ms, not_after_ms, nonce, incident_id, state, created_at_ms, created_by)
     VALUES (@id, @deviceId, @clientId, @task, @paramsJson, @notBeforeMs, @notAfterMs, @nonce, @incidentId, 'queued', @createdAtMs, @createdBy)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM jobs WHERE id = ?');
  const list = db.prepare<{ deviceId: string | null; clientId: string | null; state: string | null; limit: number }, Row>(
    `SELECT * FROM jobs WHERE (@deviceId IS NULL OR device_id = @deviceId) AND (@clientId IS NULL OR client_id = @clientId)
       AND (@state IS NULL OR state = @state) ORDER BY created_at_ms DESC, id LIMIT @limit`,
  );
  const deliverable = db.prepare<[string, number], Row>(
    "SELECT * FROM jobs WHERE device_id = ? AND state IN ('queued', 'sent') AND not_after_ms > ? ORDER BY created_at_ms, id",
  );
  const markSent = db.prepare<[number, string]>(
    "UPDATE jobs SET state = 'sent', sent_at_ms = coalesce(sent_at_ms, ?) WHERE id = ? AND state IN ('queued', 'sent')",
  );
  const markRunning = db.prepare<[number, string, string]>(
    "UPDATE jobs SET state = 'running', started_at_ms = ? WHERE id = ? AND device_id = ? AND state IN ('queued', 'sent')",
  );
  const finish = db.prepare<Record<string, unknown>>(
    `UPDATE jobs SET state = @state, finished_at_ms = @atMs, started_at_ms = coalesce(started_at_ms, CASE WHEN @state = 'refused' THEN NULL ELSE @atMs END),
       code = @code, message = @message, exit_code = @exitCode, duration_ms = @durationMs, output = @output, output_bytes = @outputBytes,
       output_sha256 = @outputSha256, result_json = @resultJson
     WHERE id = @id AND device_id = @deviceId AND state IN ('queued', 'sent', 'running')`,
  );
  const expire = db.prepare<[number, number], { id: string }>(
    "UPDATE jobs SET state = 'expired', finished_at_ms = ? WHERE state IN ('queued', 'sent') AND not_after_ms <= ? RETURNING id",
  );
  const compliance = db.prepare<{ clientId: string | null; sinceMs: number }, ComplianceRow>(
    `SELECT d.id AS device_id, d.hostname, d.client_id, c.name AS client_name,
       (SELECT max(finished_at_ms) FROM jobs j WHERE j.device_id = d.id AND j.task = 'updates.scan' AND j.state = 'done') AS last_scan_at_ms,
       (SELECT json_extract(result_json, '$.pendingCount') FROM jobs j WHERE j.device_id = d.id AND j.task = 'updates.scan' AND j.state = 'done' ORDER BY finished_at_ms DESC LIMIT 1) AS scan_pending,
       (SELECT json_extract(result_json, '$.securityCount') FROM jobs j WHERE j.device_id = d.id AND j.task = 'updates.scan' AND j.state = 'done' ORDER BY finished_at_ms DESC LIMIT 1) AS scan_security,
       (SELECT state FROM jobs j WHERE j.device_id = d.id AND j.task = 'updates.install' AND j.state IN ('done', 'failed', 'refused', 'expired') ORDER BY coalesce(finished_at_ms, created_at_ms) DESC LIMIT 1) AS last_install_state,
       (SELECT max(finished_at_ms) FROM jobs j WHERE j.device_id = d.id AND j.task = 'updates.install' AND j.state = 'done') AS last_install_ok_at_ms,
       (SELECT count(*) FROM jobs j WHERE j.device_id = d.id AND j.state IN ('failed', 'refused') AND j.finished_at_ms >= @sinceMs) AS failed_recent
     FROM devices d JOIN clients c ON c.id = d.client_id
     WHERE d.kind = 'agent' AND (@clientId IS NULL OR d.client_id = @clientId) ORDER BY c.name, d.hostname`,
  );
  const finishedOfClient = db.prepare<
    [string, number, number],
    { task: string; device_id: string; hostname: string; state: string; finished_at_ms: number; installed: number | null }
  >(
    `SELECT j.task, j.device_id, d.hostname, j.state, j.finished_at_ms,
       CASE WHEN j.task = 'updates.install' AND j.state = 'done' THEN json_array_length(j.result_json, '$.installed') END AS installed
     FROM jobs j JOIN devices d ON d.id = j.device_id
     WHERE j.client_id = ? AND j.state IN ('done', 'failed', 'refused') AND j.finished_at_ms >= ? AND j.finished_at_ms < ?
     ORDER BY j.finished_at_ms`,
  );
  const sight = db.prepare<[string, string, number, number, number]>(
    `INSERT INTO update_sightings (device_id, name, is_security, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (device_id, name) DO UPDATE SET is_security = excluded.is_security, last_seen_ms = excluded.last_seen_ms`,
  );
  const forget = db.prepare<[string, number]>('DELETE FROM update_sightings WHERE device_id = ? AND last_seen_ms < ?');
  const approved = db.prepare<[string, number], { name: string }>(
    'SELECT name FROM update_sightings WHERE device_id = ? AND (is_security = 1 OR first_seen_ms <= ?) ORDER BY is_security DESC, name LIMIT 500',
  );
  return {
    /** Jobs of a client that ended in [fromMs, toMs) with an outcome (done, failed, refused), for its report. */
    finishedOfClient(
      clientId: string,
      fromMs: number,
      toMs: number,
    ): { task: string; deviceId: string; hostname: string; isSuccess: boolean; finishedAtMs: number; updatesInstalled: number }[] {
      return finishedOfClient.all(clientId, fromMs, toMs).map((r) => ({
        task: r.task,
        deviceId: r.device_id,
        hostname: r.hostname,
        isSuccess: r.state === 'done',
        finishedAtMs: r.finished_at_ms,
        updatesInstalled: r.installed ?? 0,
      }));
    },
    /** A scan's pending updates: new ones are first seen now, ones it no longer lists are forgotten. */
    recordSightings(deviceId: string, updates: readonly { name: string; isSecurity: boolean }[], atMs: number): void {
      db.transaction(() => {
        for (const u of updates) sight.run(deviceId, u.name, u.isSecurity ? 1 : 0, atMs, atMs);
        forget.run(deviceId, atMs);
      })();
    },
    /** Updates to install now: every security one, the others once first seen at or before `heldUntilMs`. */
    approvedUpdates(deviceId: string, heldUntilMs: number): string[] {
      return approved.all(deviceId, heldUntilMs).map((r) => r.name);
    },
    /** Patch compliance per agent device: the last scan's counts, the last install, failures since `sinceMs`. */
    compliance(clientId: string | null, sinceMs: number): ComplianceRow[] {
      return compliance.all({ clientId, sinceMs });
    },
    insert(j: {
      id: string;
      deviceId: string;
      clientId: string;
      task: string;
      params: unknown;
      notBeforeMs: number;
      notAfterMs: number;
      nonce: string;
      incidentId: string | null;
      createdAtMs: number;
      createdBy: string;
    }): void {
      insert.run({ ...j, paramsJson: JSON.stringify(j.params) });
    },
    find(id: string): JobRecord | undefined {
      const r = byId.get(id);
      return r && toJob(r);
    },
    list(f: { deviceId?: string; clientId?: string; state?: string; limit: number }): JobRecord[] {
      return list.all({ deviceId: f.deviceId ?? null, clientId: f.clientId ?? null, state: f.state ?? null, limit: f.limit }).map(toJob);
    },
    /** Jobs a device should get (again) now that it is connected: not finished, window not over. */
    deliverable(deviceId: string, nowMs: number): JobRecord[] {
      return deliverable.all(deviceId, nowMs).map(toJob);
    },
    markSent(id: string, atMs: number): void {
      markSent.run(atMs, id);
    },
    /** queued|sent → running; false when the job is not this device's or is past that. */
    markRunning(id: string, deviceId: string, atMs: number): boolean {
      return markRunning.run(atMs, id, deviceId).changes === 1;
    },
    /** → done|failed|refused once; false when it was finished already (a repeated status). */
    finish(id: string, deviceId: string, o: JobOutcome): boolean {
      return finish.run({ id, deviceId, ...o, resultJson: o.result === null ? null : JSON.stringify(o.result) }).changes === 1;
    },
    /** Jobs whose window passed before they ran; returns their ids. */
    expireDue(nowMs: number): string[] {
      return expire.all(nowMs, nowMs).map((r) => r.id);
    },
  };
}
export type JobStore = ReturnType<typeof createJobStore>;
