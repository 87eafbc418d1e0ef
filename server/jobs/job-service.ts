/**
 * The server side of maintenance jobs. A technician asks for a task of the catalogue on some
 * devices; each device gets its own job row, signed when it is sent with the key file the
 * database does not hold (job-signing.ts), and delivered as soon as the device is connected,
 * again after every reconnect until the agent reports on it (the agent's journal runs a job at
 * most once, whatever it is sent). Statuses come back through the gateway and only move a job
 * forwards. Every request and every result is in the audit log.
 *
 *   REST POST /api/jobs ─▶ create (validate task, params, window, devices) ─▶ rows + audit ─▶ deliver
 *   gateway hello ─▶ onReady ─▶ deliver the device's open jobs
 *   gateway jobStatus ─▶ onStatus ─▶ running | done | failed | refused (+ audit) ─▶ jobAck
 *   ticker ─▶ expire jobs whose window passed before they ran
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { JOB_TASK_NAMES, MAX_JOB_WINDOW_MS, type JobTaskName } from '../../shared/job-constants.js';
import { safeNameSchema, taskParamsSchemas, type JobMessage, type JobStatus } from '../../shared/jobs.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import { HttpError } from '../lib/errors.js';
import { generateId } from '../lib/secrets.js';
import { createListeners } from '../lib/listeners.js';
import type { ClientStore } from '../store/clients.js';
import type { ComplianceReport, DeviceCompliance } from '../../shared/api-types.js';
import type { Db } from '../store/database.js';
import type { DeviceStore } from '../store/devices.js';
import type { IncidentStore } from '../store/incidents.js';
import type { JobRecord, JobStore } from '../store/jobs.js';
import { newJobNonce, type JobSigner } from './job-signing.js';
import { localDate } from '../time/zones.js';

/** Body of POST /api/jobs. */
export const jobRequestSchema = z
  .object({
    deviceIds: z.array(z.string().min(1).max(64)).min(1).max(5_000),
    task: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).default({}),
    /** The window: from (default now) until (default 24 h later); at most 31 days. */
    notBeforeMs: z.number().int().optional(),
    notAfterMs: z.number().int().optional(),
    /** Break-fix devices: the incident the work is for. */
    incidentId: z.string().min(1).max(64).optional(),
    /** The caller's second factor (6-digit code), required to run a task by hand. */
    code: z.string().max(20).optional(),
  })
  .strict();
export type JobRequest = z.infer<typeof jobRequestSchema>;

/** A task of the catalogue with valid parameters, or 400 JOB_TASK_UNKNOWN / JOB_PARAMS_INVALID. */
export function checkTask(taskName: string, rawParams: unknown): { task: JobTaskName; params: Record<string, unknown> } {
  if (!(JOB_TASK_NAMES as readonly string[]).includes(taskName))
    throw new HttpError(400, 'JOB_TASK_UNKNOWN', `task: "${taskName}" is not in the catalogue (${JOB_TASK_NAMES.join(', ')})`);
  const task = taskName as JobTaskName;
  const params = taskParamsSchemas[task].safeParse(rawParams);
  if (!params.success) {
    const issue = params.error.issues[0]!;
    throw new HttpError(400, 'JOB_PARAMS_INVALID', `params${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
  }
  return { task, params: params.data as Record<string, unknown> };
}

/** The fields of a job row just inserted, before anything happened to it. */
const NEW_JOB = {
  state: 'queued',
  sentAtMs: null,
  startedAtMs: null,
  finishedAtMs: null,
  code: null,
  message: null,
  exitCode: null,
  durationMs: null,
  output: null,
  outputBytes: null,
  outputSha256: null,
  result: null,
} as const satisfies Partial<JobRecord>;

/** Jobs signed and sent per event-loop turn. */
const DELIVERY_SLICE = 250;

/** Default job window when none is given. */
export const DEFAULT_JOB_WINDOW_MS = 24 * 3_600_000;

/** What the job service is built from. */
export interface JobServiceDeps {
  db: Db;
  jobs: JobStore;
  devices: DeviceStore;
  clients: ClientStore;
  incidents: IncidentStore;
  audit: AuditLog;
  signer: JobSigner;
  logger: Logger;
  now: () => number;
  /** Sends a signed job frame to a connected device; false when it is not connected. */
  sendJob: (deviceId: string, frame: JobMessage) => boolean;
  /** How often jobs past their window are expired, ms (default 60 s). */
  expireIntervalMs?: number;
}

const SYSTEM = { id: null, name: 'system' } satisfies AuditActor;

/** Builds the job service; start() its expiry ticker, stop() before the database closes. */
export function createJobService(deps: JobServiceDeps) {
  const { db, jobs, devices, audit, logger } = deps;
  const resultListeners = createListeners<[deviceId: string, task: string, failed: boolean]>((err) => logger.error({ err }, 'job result listener failed'));
  let timer: NodeJS.Timeout | undefined;

  function deliver(j: JobRecord, nowMs: number): boolean {
    const frame = deps.signer.signJob({
      jobId: j.id,
      deviceId: j.deviceId,
      task: j.task,
      params: j.params,
      notBeforeMs: j.notBeforeMs,
      notAfterMs: j.notAfterMs,
      nonce: j.nonce,
    });
    if (!deps.sendJob(j.deviceId, frame)) return false;
    jobs.markSent(j.id, nowMs);
    return true;
  }

  /**
   * Sends jobs in slices of DELIVERY_SLICE per event-loop turn: signing and sending thousands at
   * once held the loop for 1.5 s (5,000 agents), stalling every other socket meanwhile.
   */
  function deliverSoon(list: JobRecord[]): void {
    const slice = list.splice(0, DELIVERY_SLICE);
    const nowMs = deps.now();
    // One commit per slice for the "sent" marks, not one per job.
    db.transaction(() => {
      for (const j of slice) {
        try {
          deliver(j, nowMs);
        } catch (err) {
          logger.error({ err, jobId: j.id }, 'job could not be sent; it goes out when the device next connects');
        }
      }
    })();
    if (list.length > 0) setImmediate(() => deliverSoon(list));
  }

  /** Remembers which updates a scan found, for policies that hold non-security updates a while. */
  function recordScan(deviceId: string, result: Record<string, unknown> | undefined, atMs: number): void {
    const listed = Array.isArray(result?.updates) ? (result.updates as unknown[]) : [];
    const updates = listed
      .map((u) => u as { name?: unknown; isSecurity?: unknown })
      .filter((u) => typeof u.name === 'string' && safeNameSchema.safeParse(u.name).success)
      .map((u) => ({ name: u.name as string, isSecurity: u.isSecurity === true }));
    jobs.recordSightings(deviceId, updates, atMs);
  }

  /**
   * Break-fix work is billed by the hour: a job run for an incident books its time there (the
   * run time rounded up to whole minutes, at least one, under the technician who asked; they
   * can correct it), and a failure is written into the incident's trail.
   */
  function bookOnIncident(j: JobRecord, s: JobStatus, hostname: string, atMs: number): void {
    const incident = deps.incidents.findById(j.incidentId!);
    if (!incident || incident.state === 'billed') return;
    const minutes = Math.max(1, Math.ceil((s.durationMs ?? 0) / 60_000));
    const timezone = deps.clients.findById(incident.clientId)?.timezone ?? 'UTC';
    const note = `maintenance: ${j.task} on ${hostname} (${s.state}${s.code ? `, ${s.code}` : ''})`;
    deps.incidents.addTimeEntry({
      id: generateId(),
      incidentId: incident.id,
      technician: j.createdBy,
      minutes,
      note,
      date: localDate(atMs, timezone),
      createdAtMs: atMs,
      createdBy: 'system',
    });
    deps.incidents.addEvent(incident.id, atMs, SYSTEM, 'time-booked', `${minutes} min by ${j.createdBy}: ${note}`);
    if (s.state !== 'done')
      deps.incidents.addEvent(incident.id, atMs, SYSTEM, 'commented', `${j.task} on ${hostname} ${s.state}${s.message ? `: ${s.message}` : ''}`);
  }

  function checkRequest(input: JobRequest, nowMs: number) {
    const { task, params } = checkTask(input.task, input.params);
    const notBeforeMs = input.notBeforeMs ?? nowMs;
    const notAfterMs = input.notAfterMs ?? notBeforeMs + DEFAULT_JOB_WINDOW_MS;
    if (notAfterMs <= notBeforeMs) throw new HttpError(400, 'JOB_WINDOW_INVALID', 'notAfterMs must be after notBeforeMs');
    if (notAfterMs - notBeforeMs > MAX_JOB_WINDOW_MS)
      throw new HttpError(400, 'JOB_WINDOW_INVALID', 'the window may be at most 31 days (agents keep nonces that long)');
    if (notAfterMs <= nowMs) throw new HttpError(400, 'JOB_WINDOW_INVALID', 'notAfterMs is in the past: the job could never run');
    const targets = [...new Set(input.deviceIds)].map((id) => {
      const d = devices.findById(id);
      if (!d) throw new HttpError(404, 'DEVICE_NOT_FOUND', `deviceIds: no device with id ${id}`);
      if (d.kind !== 'agent')
        throw new HttpError(400, 'JOB_DEVICE_NO_AGENT', `deviceIds: ${d.hostname} is a probed ${d.kind} without an agent; tasks run only on agents`);
      if (d.isDisabled) throw new HttpError(409, 'DEVICE_DISABLED', `deviceIds: ${d.hostname} is disabled; enable it first`);
      const client = deps.clients.findById(d.clientId);
      if (client?.contract === 'break-fix') {
        // Break-fix work is paid by the hour: it runs for an incident, which books the time.
        if (!input.incidentId)
          throw new HttpError(
            400,
            'INCIDENT_REQUIRED',
            `${d.hostname} belongs to the break-fix client "${client.name}": a task runs only for one of its incidents (incidentId)`,
          );
        const incident = deps.incidents.findById(input.incidentId);
        if (!incident || incident.clientId !== d.clientId)
          throw new HttpError(400, 'INCIDENT_REQUIRED', `incidentId: no incident ${input.incidentId} of "${client.name}"`);
      }
      return d;
    });
    return { task, params, notBeforeMs, notAfterMs, targets };
  }

  return {
    /**
     * Subscribes to ended jobs (`failed`: it failed or was refused); returns the unsubscribe
     * function. The root feeds them to the rules as maintenance.failed{task}, so failed
     * maintenance alerts (monthly) or opens an incident (break-fix) like any condition, and clears
     * when the task succeeds again.
     */
    onResult: (listener: (deviceId: string, task: string, failed: boolean) => void) => resultListeners.add(listener),

    /** Creates one job per device and sends those whose device is connected. */
    create(actor: AuditActor & { name: string }, input: JobRequest): JobRecord[] {
      const nowMs = deps.now();
      const c = checkRequest(input, nowMs);
      const created = audit.audited(actor, (record) => {
        const rows = c.targets.map((d): JobRecord => {
          const job = {
            id: `job_${generateId()}`,
            deviceId: d.id,
            clientId: d.clientId,
            task: c.task,
            params: c.params,
            notBeforeMs: c.notBeforeMs,
            notAfterMs: c.notAfterMs,
            nonce: newJobNonce(),
            incidentId: input.incidentId ?? null,
            createdAtMs: nowMs,
            createdBy: actor.name,
          };
          jobs.insert(job);
          // What the row now holds, without reading each of up to 5,000 rows back.
          return { ...job, ...NEW_JOB };
        });
        const names = c.targets.map((d) => d.hostname);
        record({
          action: 'job.create',
          entityType: 'job',
          entityId: rows.length === 1 ? rows[0]!.id : rows.map((r) => r.id).join(','),
          summary: `asked for ${c.task} on ${names.length === 1 ? names[0] : `${names.length} devices`}`,
          detail: {
            task: c.task,
            params: c.params,
            devices: names,
            notBeforeMs: c.notBeforeMs,
            notAfterMs: c.notAfterMs,
            incidentId: input.incidentId ?? null,
          },
        });
        return rows;
      });
      deliverSoon(created.filter((j) => j.notBeforeMs <= nowMs + 60_000));
      return created;
    },

    get(id: string): JobRecord {
      const j = jobs.find(id);
      if (!j) throw new HttpError(404, 'JOB_NOT_FOUND', `no job with id ${id}`);
      return j;
    },
    list: (f: { deviceId?: string; clientId?: string; state?: string; limit: number }) => jobs.list(f),

    /** Patch compliance per agent device, of one client or all (docs/MAINTENANCE.md). */
    compliance(clientId: string | null): ComplianceReport {
      const nowMs = deps.now();
      const devicesOut: DeviceCompliance[] = jobs.compliance(clientId, nowMs - 30 * 86_400_000).map((r) => {
        const base = {
          deviceId: r.device_id,
          hostname: r.hostname,
          clientId: r.client_id,
          clientName: r.client_name,
          pendingUpdates: r.scan_pending,
          securityUpdates: r.scan_security,
          lastScanAtMs: r.last_scan_at_ms,
          lastInstallState: r.last_install_state as DeviceCompliance['lastInstallState'],
          lastInstallOkAtMs: r.last_install_ok_at_ms,
          failedJobs30d: r.failed_recent,
        };
        const status: DeviceCompliance['status'] =
          r.failed_recent > 0 || r.last_install_state === 'failed' || r.last_install_state === 'refused'
            ? 'failing'
            : r.last_scan_at_ms === null || nowMs - r.last_scan_at_ms > 7 * 86_400_000
              ? 'not-scanned'
              : (r.scan_security ?? 0) > 0
                ? 'security-pending'
                : 'ok';
        return { ...base, status };
      });
      const count = (s: DeviceCompliance['status']) => devicesOut.filter((d) => d.status === s).length;
      return {
        devices: devicesOut,
        totals: {
          devices: devicesOut.length,
          ok: count('ok'),
          notScanned: count('not-scanned'),
          securityPending: count('security-pending'),
          failing: count('failing'),
        },
      };
    },

    /** The device said hello: its open jobs go out (again). */
    onReady(deviceId: string): void {
      deliverSoon(jobs.deliverable(deviceId, deps.now()));
    },

    /** A status from the agent; true once stored (or nothing to store), so the agent gets its jobAck. */
    onStatus(deviceId: string, s: JobStatus): boolean {
      const j = jobs.find(s.jobId);
      if (!j || j.deviceId !== deviceId) {
        logger.warn({ deviceId, jobId: s.jobId, state: s.state }, j ? 'job status from another device: ignored' : 'status of an unknown job: ignored');
        return true;
      }
      const atMs = deps.now();
      if (s.state === 'running') {
        jobs.markRunning(j.id, deviceId, atMs);
        return true;
      }
      const device = devices.findById(deviceId);
      let ended = false;
      db.transaction(() => {
        const changed = jobs.finish(j.id, deviceId, {
          state: s.state as 'done' | 'failed' | 'refused',
          atMs,
          code: s.code ?? null,
          message: s.message ?? null,
          exitCode: s.exitCode ?? null,
          durationMs: s.durationMs ?? null,
          output: s.output ?? null,
          outputBytes: s.outputBytes ?? null,
          outputSha256: s.outputSha256 ?? null,
          result: (s.result as Record<string, unknown> | undefined) ?? null,
        });
        if (!changed) return;
        ended = true;
        if (j.task === 'updates.scan' && s.state === 'done') recordScan(deviceId, s.result, atMs);
        if (j.incidentId) bookOnIncident(j, s, device?.hostname ?? deviceId, atMs);
        audit.record(SYSTEM, {
          action: 'job.result',
          entityType: 'job',
          entityId: j.id,
          summary: `${j.task} on ${device?.hostname ?? deviceId}: ${s.state}${s.code ? ` (${s.code})` : ''}${s.durationMs !== undefined ? ` in ${(s.durationMs / 1000).toFixed(1)} s` : ''}`,
          detail: { state: s.state, code: s.code ?? null, exitCode: s.exitCode ?? null, outputSha256: s.outputSha256 ?? null, requestedBy: j.createdBy },
        });
      })();
      if (ended) resultListeners.emit(deviceId, j.task, s.state !== 'done');
      return true;
    },

    /** Updates a device may install now under a hold of non-security updates (see recordScan). */
    approvedUpdates: (deviceId: string, heldUntilMs: number) => jobs.approvedUpdates(deviceId, heldUntilMs),

    /** Expires jobs whose window passed before they ran; returns how many. */
    expireDue(): number {
      const ids = jobs.expireDue(deps.now());
      if (ids.length > 0) logger.info({ jobs: ids.length }, 'maintenance jobs expired before their device took them');
      return ids.length;
    },
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        try {
          this.expireDue();
        } catch (err) {
          logger.error({ err }, 'job expiry failed');
        }
      }, deps.expireIntervalMs ?? 60_000);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
export type JobService = ReturnType<typeof createJobService>;
