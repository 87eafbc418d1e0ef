/**
 * The maintenance path: signed jobs sent through the agents' gateway, and the policies that
 * schedule them in maintenance windows. Job statuses from the gateway and ended jobs to the rules
 * are subscriptions the composition root (server/index.ts) makes.
 */
import type { Logger } from 'pino';
import { createJobService } from '../jobs/job-service.js';
import { createPolicyService } from '../jobs/policy-service.js';
import { createJobStore } from '../store/jobs.js';
import { createMaintenancePolicyStore } from '../store/maintenance-policies.js';
import type { Alerting } from '../alerting/index.js';
import type { AgentPath } from './agents.js';
import type { Storage } from './storage.js';

/** Builds the job service (sending through the gateway) and the maintenance policies that create its jobs. */
export function createJobsPath(storage: Storage, alerting: Alerting, agents: AgentPath, logger: Logger, now: () => number) {
  const { db, devices, clients, audit } = storage;
  const jobs = createJobService({
    db,
    jobs: createJobStore(db),
    devices,
    clients,
    incidents: alerting.incidents,
    audit,
    signer: storage.jobSigner,
    logger,
    now,
    sendJob: (deviceId, frame) => agents.gateway.sendJob(deviceId, frame),
  });
  const policies = createPolicyService({
    policies: createMaintenancePolicyStore(db),
    maintenance: alerting.maintenance,
    clients,
    devices,
    jobs,
    audit,
    logger,
    now,
  });
  return { jobs, policies };
}

export type JobsPath = ReturnType<typeof createJobsPath>;
