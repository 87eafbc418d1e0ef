/**
 * Maintenance policies: what the monthly fee pays for, on a schedule. A policy names a task of
 * the catalogue and one of the client's recurring maintenance windows (alerts are muted there
 * already); at every occurrence of that window the task runs on the client's agents, each job
 * valid until the window ends. With rings, the pilot devices run first and the rest at the first
 * occurrence `ringDelayDays` later, and only if no pilot job of that run failed, was refused or
 * expired (else the rest are held and the trail says why). An update policy may hold non-security
 * updates: each device then installs every security update its scans found, and the others once
 * a scan first saw them `holdOthersDays` ago ("auto-approve security, hold others N days").
 *
 *   ticker (1 min) ─▶ each enabled policy: now inside an occurrence not yet run?
 *                        ─▶ ring 2 due and pilots fine ─▶ jobs for the rest
 *                        ─▶ ring 2 due, a pilot failed ─▶ held (audited)
 *                        ─▶ waiting for ring 2 ─▶ nothing
 *                        ─▶ else ─▶ jobs for the pilots (rings) or for all
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import { HttpError } from '../lib/errors.js';
import { generateId } from '../lib/secrets.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { MaintenanceStore } from '../store/maintenance.js';
import type { MaintenancePolicy, MaintenancePolicyStore } from '../store/maintenance-policies.js';
import { recurringOccurrences } from '../time/windows.js';
import { checkTask, type JobService } from './job-service.js';

const DAY_MS = 86_400_000;
const id = z.string().min(1).max(64);

/** Body of POST /api/maintenance-policies. */
export const policyInputSchema = z
  .object({
    clientId: id,
    name: z.string().trim().min(1).max(200),
    task: z.string().min(1).max(64),
    params: z.record(z.string(), z.unknown()).default({}),
    /** A recurring maintenance window of the client: the task runs at each of its occurrences. */
    windowId: id,
    pilotDeviceIds: z.array(id).max(500).default([]),
    /** Days between the pilot ring and the rest (0: everyone at once). */
    ringDelayDays: z.number().int().min(0).max(30).default(0),
    excludedDeviceIds: z.array(id).max(5_000).default([]),
    /** Device overrides: other parameters of the task for these devices. */
    deviceParams: z.record(id, z.record(z.string(), z.unknown())).default({}),
    /** updates.install: security updates at once, the others once first seen this many days ago. */
    holdOthersDays: z.number().int().min(1).max(90).nullable().default(null),
    isEnabled: z.boolean().default(true),
    /** The caller's second factor. */
    code: z.string().max(20).optional(),
  })
  .strict();
export type PolicyInput = z.infer<typeof policyInputSchema>;

/** What the policy service is built from. */
export interface PolicyServiceDeps {
  policies: MaintenancePolicyStore;
  maintenance: MaintenanceStore;
  clients: ClientStore;
  devices: DeviceStore;
  jobs: JobService;
  audit: AuditLog;
  logger: Logger;
  now: () => number;
  tickIntervalMs?: number;
}

/** Builds the policy service; start() its ticker, stop() before the database closes. */
export function createPolicyService(deps: PolicyServiceDeps) {
  const { policies, audit, logger } = deps;
  let timer: NodeJS.Timeout | undefined;

  function mustFind(policyId: string): MaintenancePolicy {
    const p = policies.find(policyId);
    if (!p) throw new HttpError(404, 'POLICY_NOT_FOUND', `no maintenance policy with id ${policyId}`);
    return p;
  }

  /** The client's agent devices a run may target, without the excluded ones. */
  function targets(p: MaintenancePolicy): string[] {
    return deps.devices
      .idsOfClient(p.clientId)
      .map((deviceId) => deps.devices.findById(deviceId))
      .filter((d) => d !== undefined && d.kind === 'agent' && !d.isDisabled && !p.excludedDeviceIds.includes(d.id))
      .map((d) => d!.id);
  }

  function run(p: MaintenancePolicy, deviceIds: string[], occurrence: [number, number], ring: string, nowMs: number): number {
    if (deviceIds.length === 0) return 0;
    const actor = { id: null, name: `policy "${p.name}"` };
    try {
      // With a hold, each device installs its own list: every security update, the others once old enough.
      // Without a hold: one job request per distinct parameters (a device override makes its own).
      const byParams = new Map<string, { deviceIds: string[]; params: Record<string, unknown> }>();
      for (const d of deviceIds) {
        const params = p.deviceParams[d] ?? p.params;
        const key = JSON.stringify(params);
        const b = byParams.get(key) ?? { deviceIds: [], params };
        b.deviceIds.push(d);
        byParams.set(key, b);
      }
      const batches: { deviceIds: string[]; params: Record<string, unknown> }[] =
        p.holdOthersDays === null
          ? [...byParams.values()]
          : deviceIds
              .map((d) => ({ deviceIds: [d], packages: deps.jobs.approvedUpdates(d, nowMs - p.holdOthersDays! * DAY_MS) }))
              .filter((b) => b.packages.length > 0)
              .map((b) => ({ deviceIds: b.deviceIds, params: { scope: 'list', packages: b.packages } }));
      let n = 0;
      for (const b of batches) {
        const created = deps.jobs.create(actor, { deviceIds: b.deviceIds, task: p.task, params: b.params, notBeforeMs: nowMs, notAfterMs: occurrence[1] });
        for (const j of created) policies.tagJob(j.id, p.id, occurrence[0]);
        n += created.length;
      }
      return n;
    } catch (err) {
      logger.error({ err, policyId: p.id, ring }, 'maintenance policy could not make its jobs');
      audit.record(actor, {
        action: 'maintenance-policy.run',
        entityType: 'maintenance-policy',
        entityId: p.id,
        summary: `could not run ${ring}: ${(err as Error).message}`,
      });
      return 0;
    }
  }

  function tickOne(p: MaintenancePolicy, nowMs: number): void {
    const window = deps.maintenance.findById(p.windowId);
    const client = deps.clients.findById(p.clientId);
    if (!window || window.spec.kind !== 'recurring' || !client) return;
    const occ = recurringOccurrences(window.spec, nowMs, nowMs + 1, client.timezone).find(([s, e]) => s <= nowMs && nowMs < e);
    if (!occ || occ[0] === p.lastRunStartMs) return;
    const all = targets(p);
    const pilots = all.filter((d) => p.pilotDeviceIds.includes(d));
    const rest = all.filter((d) => !p.pilotDeviceIds.includes(d));
    const actor: AuditActor = { id: null, name: `policy "${p.name}"` };
    if (p.restDueAfterMs !== null && p.pilotRunStartMs !== null) {
      if (occ[0] < p.restDueAfterMs) return; // the pilots' run is still being watched
      const failed = policies.pilotFailures(p.id, p.pilotRunStartMs);
      if (failed > 0) {
        audit.record(actor, {
          action: 'maintenance-policy.run',
          entityType: 'maintenance-policy',
          entityId: p.id,
          summary: `held the rest (${rest.length} devices): ${failed} pilot job${failed === 1 ? '' : 's'} failed`,
        });
      } else run(p, rest, occ, 'the rest', nowMs);
      policies.markRun(p.id, occ[0], null, null);
      return;
    }
    if (p.ringDelayDays > 0 && pilots.length > 0) {
      run(p, pilots, occ, 'the pilot ring', nowMs);
      policies.markRun(p.id, occ[0], occ[0], occ[0] + p.ringDelayDays * DAY_MS);
    } else {
      run(p, all, occ, 'all devices', nowMs);
      policies.markRun(p.id, occ[0], null, null);
    }
  }

  return {
    list: (clientId: string | null) => policies.list(clientId),
    get: mustFind,

    create(actor: AuditActor & { name: string }, input: PolicyInput): MaintenancePolicy {
      const client = deps.clients.findById(input.clientId);
      if (!client) throw new HttpError(404, 'CLIENT_NOT_FOUND', `clientId: no client with id ${input.clientId}`);
      if (client.contract !== 'monthly')
        throw new HttpError(400, 'POLICY_MONTHLY_ONLY', `"${client.name}" is a break-fix client: its tasks run only for an incident, by a technician`);
      const { task, params } = checkTask(input.task, input.params);
      const window = deps.maintenance.findById(input.windowId);
      if (!window || window.spec.kind !== 'recurring' || window.clientId !== client.id)
        throw new HttpError(
          400,
          'POLICY_WINDOW_INVALID',
          `windowId: choose a recurring maintenance window of "${client.name}"; the task runs at each of its occurrences`,
        );
      const deviceParams: Record<string, Record<string, unknown>> = {};
      for (const [d, raw] of Object.entries(input.deviceParams)) {
        try {
          deviceParams[d] = checkTask(task, raw).params;
        } catch (err) {
          throw new HttpError(400, 'JOB_PARAMS_INVALID', `deviceParams.${d}: ${(err as Error).message}`);
        }
      }
      for (const d of [...input.pilotDeviceIds, ...input.excludedDeviceIds, ...Object.keys(deviceParams)]) {
        const device = deps.devices.findById(d);
        if (!device || device.clientId !== client.id) throw new HttpError(400, 'POLICY_DEVICE_INVALID', `no device ${d} of "${client.name}"`);
      }
      if (input.holdOthersDays !== null && task !== 'updates.install')
        throw new HttpError(400, 'POLICY_HOLD_INVALID', 'holdOthersDays applies to updates.install only: it chooses which updates each device installs');
      if (input.ringDelayDays > 0 && input.pilotDeviceIds.length === 0)
        throw new HttpError(400, 'POLICY_RING_INVALID', 'ringDelayDays needs pilot devices: they run first, the rest that many days later');
      return audit.audited(actor, (record) => {
        const policyId = generateId();
        policies.insert({
          id: policyId,
          clientId: client.id,
          name: input.name,
          task,
          params,
          windowId: input.windowId,
          pilotDeviceIds: input.pilotDeviceIds,
          ringDelayDays: input.ringDelayDays,
          excludedDeviceIds: input.excludedDeviceIds,
          holdOthersDays: input.holdOthersDays,
          deviceParams,
          isEnabled: input.isEnabled,
          createdAtMs: deps.now(),
          createdBy: actor.name,
        });
        record({
          action: 'maintenance-policy.create',
          entityType: 'maintenance-policy',
          entityId: policyId,
          summary: `created maintenance policy "${input.name}" for "${client.name}": ${task} in window "${window.input.name}"`,
          detail: { task, params, windowId: input.windowId, pilotDeviceIds: input.pilotDeviceIds, ringDelayDays: input.ringDelayDays },
        });
        return policies.find(policyId)!;
      });
    },

    remove(actor: AuditActor, policyId: string): void {
      const p = mustFind(policyId);
      audit.audited(actor, (record) => {
        policies.delete(policyId);
        record({
          action: 'maintenance-policy.delete',
          entityType: 'maintenance-policy',
          entityId: policyId,
          summary: `deleted maintenance policy "${p.name}"`,
        });
      });
    },

    /** Runs what is due now. Tests drive time with it. */
    tick(): void {
      const nowMs = deps.now();
      for (const p of policies.listEnabled()) {
        try {
          tickOne(p, nowMs);
        } catch (err) {
          logger.error({ err, policyId: p.id }, 'maintenance policy tick failed');
        }
      }
    },
    start(): void {
      if (timer) return;
      timer = setInterval(() => this.tick(), deps.tickIntervalMs ?? 60_000);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
export type PolicyService = ReturnType<typeof createPolicyService>;
