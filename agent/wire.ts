/**
 * Hand-written checks of what crosses the agent's boundaries (server frames, spool lines, facts),
 * following the zod schemas of shared/protocol.ts. The agent deliberately does not load zod: it
 * costs about 10 MB of resident memory, a quarter of the agent's budget. tests/agent/wire.test.ts
 * holds these checks to the schemas.
 */
import { AGENT_CONFIG_LIMITS, AgentErrorCode, PROTOCOL_VERSION, SERVER_MESSAGE_TYPES } from '../shared/protocol-constants.js';
import type { AgentConfig, DecodeResult, Report, Sample, ServerMessage, SystemFacts } from '../shared/protocol.js';
import { pickProbeConfig, probeConfigProblem } from './probe/config.js';
import { JOB_AGENT_STATES, type JobAgentState } from '../shared/job-constants.js';
import type { JobMessage } from '../shared/jobs.js';

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isString = (v: unknown, min = 0, max = Infinity): v is string => typeof v === 'string' && v.length >= min && v.length <= max;

export { reportProblem, sampleProblem } from '../shared/report-check.js';

/** A report already checked by reportProblem. */
export type CheckedReport = Report & { metrics: Sample[] };

/** Why a pushed config is unusable, or undefined (agentConfigSchema; unknown keys are ignored). */
export function agentConfigProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return 'config: must be an object';
  const { minIntervalMs, maxIntervalMs, maxWatchedServices, maxServiceNameChars, maxVersionChars } = AGENT_CONFIG_LIMITS;
  if (!isInt(raw.intervalMs, minIntervalMs, maxIntervalMs)) return `config.intervalMs: must be an integer ${minIntervalMs}–${maxIntervalMs}`;
  if (raw.watchedServices !== undefined) {
    if (
      !Array.isArray(raw.watchedServices) ||
      raw.watchedServices.length > maxWatchedServices ||
      !raw.watchedServices.every((n) => isString(n, 1, maxServiceNameChars))
    ) {
      return `config.watchedServices: must be a list of at most ${maxWatchedServices} names of 1–${maxServiceNameChars} characters`;
    }
  }
  if (raw.collectors !== undefined && (!isObject(raw.collectors) || !Object.values(raw.collectors).every((b) => typeof b === 'boolean'))) {
    return 'config.collectors: must map collector names to true or false';
  }
  if (raw.update !== undefined && (!isObject(raw.update) || !isString(raw.update.version, 1, maxVersionChars))) {
    return `config.update.version: must be a version string of 1–${maxVersionChars} characters`;
  }
  if (raw.probe !== undefined) return probeConfigProblem(raw.probe);
  return undefined;
}

function pickConfig(raw: Obj): AgentConfig {
  return {
    intervalMs: raw.intervalMs as number,
    ...(raw.watchedServices !== undefined ? { watchedServices: [...(raw.watchedServices as string[])] } : {}),
    ...(raw.collectors !== undefined ? { collectors: { ...(raw.collectors as Record<string, boolean>) } } : {}),
    ...(raw.probe !== undefined ? { probe: pickProbeConfig(raw.probe) } : {}),
    ...(isObject(raw.update) ? { update: { version: raw.update.version as string } } : {}),
    // Checked by agent/watch.ts, which ignores only a bad list (and says why), not the whole config.
    ...(raw.watch !== undefined ? { watch: raw.watch as AgentConfig['watch'] } : {}),
  };
}

// Server → agent frames are not strict: a newer server may add fields, which are ignored.
function serverFrameProblem(o: Obj): string | undefined {
  switch (o.type) {
    case 'welcome':
      if (!isString(o.deviceId)) return 'deviceId: must be a string';
      if (!isString(o.serverVersion)) return 'serverVersion: must be a string';
      if (!isInt(o.lastSeq, 0)) return 'lastSeq: must be an integer ≥ 0';
      if (o.jobSigningKey !== undefined && !isString(o.jobSigningKey, 0, 100)) return 'jobSigningKey: must be a string of at most 100 characters';
      if (
        o.signingKeyEndorsement !== undefined &&
        (!isObject(o.signingKeyEndorsement) || !isString(o.signingKeyEndorsement.publicKey, 1, 100) || !isString(o.signingKeyEndorsement.signature, 1, 100))
      ) {
        return 'signingKeyEndorsement: must be { publicKey, signature } strings of at most 100 characters';
      }
      return agentConfigProblem(o.config);
    case 'ack':
      return isInt(o.seq, 1) ? undefined : 'seq: must be an integer ≥ 1';
    case 'error':
      if (!isString(o.code) || !isString(o.message)) return 'code and message: must be strings';
      if (o.seq !== undefined && !isInt(o.seq, 1)) return 'seq: must be an integer ≥ 1';
      if (typeof o.retryable !== 'boolean') return 'retryable: must be true or false';
      if (o.retryAfterMs !== undefined && !isInt(o.retryAfterMs, 0)) return 'retryAfterMs: must be an integer ≥ 0';
      return undefined;
    case 'config':
      return agentConfigProblem(o.config);
    case 'credential':
      return isString(o.deviceToken, 10, 200) ? undefined : 'deviceToken: must be a string of 10–200 characters';
    case 'job':
      // Only the frame's outline: agent/jobs/check-job.ts checks the rest and answers a precise refusal.
      return isObject(o.job) ? undefined : 'job: must be an object';
    case 'jobAck':
      if (!isString(o.jobId, 8, 64)) return 'jobId: must be a string of 8–64 characters';
      return (JOB_AGENT_STATES as readonly unknown[]).includes(o.state) ? undefined : `state: must be one of ${JOB_AGENT_STATES.join(', ')}`;
    default:
      return undefined;
  }
}

function toServerMessage(o: Obj): ServerMessage {
  const v = PROTOCOL_VERSION;
  switch (o.type) {
    case 'welcome':
      return {
        type: 'welcome',
        v,
        deviceId: o.deviceId as string,
        serverVersion: o.serverVersion as string,
        lastSeq: o.lastSeq as number,
        config: pickConfig(o.config as Obj),
        ...(o.jobSigningKey !== undefined ? { jobSigningKey: o.jobSigningKey as string } : {}),
        ...(isObject(o.signingKeyEndorsement)
          ? { signingKeyEndorsement: { publicKey: o.signingKeyEndorsement.publicKey as string, signature: o.signingKeyEndorsement.signature as string } }
          : {}),
      };
    case 'ack':
      return { type: 'ack', v, seq: o.seq as number };
    case 'error':
      return {
        type: 'error',
        v,
        code: o.code as string,
        message: o.message as string,
        retryable: o.retryable as boolean,
        ...(o.seq !== undefined ? { seq: o.seq as number } : {}),
        ...(o.retryAfterMs !== undefined ? { retryAfterMs: o.retryAfterMs as number } : {}),
      };
    case 'config':
      return { type: 'config', v, config: pickConfig(o.config as Obj) };
    case 'job':
      // Unchecked beyond its outline on purpose: the job runner checks every field and reports a refusal.
      return o as unknown as JobMessage;
    case 'jobAck':
      return { type: 'jobAck', v, jobId: o.jobId as string, state: o.state as JobAgentState };
    default:
      return { type: 'credential', v, deviceToken: o.deviceToken as string };
  }
}

/** Decodes one server frame; unknown types and newer versions are reported, never thrown. */
export function decodeServerFrame(text: string): DecodeResult<ServerMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: AgentErrorCode.INVALID_JSON, message: `frame is not valid JSON: ${(err as Error).message}` };
  }
  const o: Obj = isObject(raw) ? raw : {};
  if (typeof o.v === 'number' && o.v !== PROTOCOL_VERSION) {
    return { ok: false, code: AgentErrorCode.UNSUPPORTED_VERSION, message: `server speaks protocol v${o.v}; this agent speaks v${PROTOCOL_VERSION}` };
  }
  if (!(SERVER_MESSAGE_TYPES as readonly unknown[]).includes(o.type)) {
    return { ok: false, code: AgentErrorCode.UNKNOWN_TYPE, message: `unknown message type ${JSON.stringify(o.type ?? null)}` };
  }
  const problem = o.v !== PROTOCOL_VERSION ? `v: must be ${PROTOCOL_VERSION}` : serverFrameProblem(o);
  if (problem) return { ok: false, code: AgentErrorCode.INVALID_MESSAGE, message: problem };
  return { ok: true, message: toServerMessage(o) };
}

const FACT_TEXT_MAX: Record<string, number> = {
  platform: 50,
  distro: 200,
  release: 200,
  arch: 50,
  kernel: 200,
  cpuModel: 200,
  manufacturer: 200,
  model: 200,
  serial: 200,
};

/** Keeps only the facts systemFactsSchema accepts (strings within their length, integer counts). */
export function cleanFacts(candidate: Record<string, unknown>): SystemFacts {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    const max = FACT_TEXT_MAX[key];
    if (max !== undefined && isString(value, 0, max)) out[key] = value;
    else if (key === 'cpuCores' && isInt(value, 1, 4096)) out[key] = value;
    else if (key === 'memTotalBytes' && isInt(value, 0)) out[key] = value;
    else if (key === 'biosDate' && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) out[key] = value;
  }
  return out as SystemFacts;
}
