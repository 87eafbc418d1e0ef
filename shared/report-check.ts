/**
 * The report schema of shared/protocol.ts (`reportSchema`, `sampleSchema`) as straight-line
 * checks without zod, in one place for both programs that need them:
 * - the server's hot path: 15,000 agents send a report every 10 s and zod's general machinery
 *   (and the copy it returns) was a quarter of the server's CPU; a frame that passes here is
 *   taken as it is, anything else goes through zod for the precise error code;
 * - the agent, which does not load zod at all (about 10 MB of resident memory, a quarter of its
 *   budget), checking the lines of its spool.
 * A property test (tests/server/report-fast-path.test.ts) and a table test (tests/agent/wire.test.ts)
 * hold these checks to the zod schemas: accepted here ⇔ accepted there, except that check outcomes
 * without a targetDeviceId are refused here as the gateway refuses them after zod.
 */
import { findMetric } from './metrics.js';
import { MAX_SAMPLES_PER_REPORT, PROTOCOL_VERSION } from './protocol-constants.js';

type Obj = Record<string, unknown>;

const REPORT_KEYS = new Set(['type', 'v', 'seq', 'tsMs', 'metrics', 'targetDeviceId', 'checks']);
const SAMPLE_KEYS = new Set(['name', 'labels', 'value']);
const CHECK_STATES = new Set(['ok', 'failed', 'error']);
const CHECK_KEYS = new Set(['checkId', 'state', 'message']);
const CHECK_ID = /^[a-z0-9][a-z0-9_-]*$/;
/** Report time bounds, ms: the years 2000 and 3000. */
const MIN_TS_MS = 946_684_800_000;
const MAX_TS_MS = 32_503_680_000_000;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;

/** Why one sample would be refused, or undefined. */
export function sampleProblem(s: unknown): string | undefined {
  if (!isObject(s)) return 'sample must be an object';
  for (const k in s) if (!SAMPLE_KEYS.has(k)) return `unknown field "${k}"`;
  const { name, value, labels } = s;
  if (!isText(name, 1, 100)) return 'name must be a string of 1–100 characters';
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'value must be a finite number';
  const def = findMetric(name);
  if (!def) return `unknown metric "${name}"`;
  if (labels !== undefined && !isObject(labels)) return 'labels must be an object';
  // No array per sample on the hot path: for-in over a JSON object sees exactly its own keys, and
  // `__proto__` from JSON.parse is an own key, refused below like any other extra key.
  let labelCount = 0;
  let isLabelSetWrong = false;
  if (labels !== undefined) {
    for (const k in labels) {
      if (k.length < 1 || k.length > 40) return `label key "${k}" must be 1–40 characters`;
      if (!isText(labels[k], 1, 200)) return `label ${k} must be a string of 1–200 characters`;
      if (!def.labelKeys.includes(k)) isLabelSetWrong = true;
      labelCount++;
    }
  }
  if (isLabelSetWrong || labelCount !== def.labelKeys.length) {
    const got = labels === undefined ? [] : Object.keys(labels);
    return `metric "${name}" needs labels [${[...def.labelKeys].sort().join(',')}] but got [${got.sort().join(',')}]`;
  }
  return undefined;
}

/** Why a frame is not a report `reportSchema` accepts unchanged, or undefined. */
export function reportProblem(raw: unknown): string | undefined {
  if (!isObject(raw)) return 'not an object';
  if (raw.type !== 'report') return 'type: must be "report"';
  if (raw.v !== PROTOCOL_VERSION) return `v: must be ${PROTOCOL_VERSION}`;
  for (const k in raw) if (!REPORT_KEYS.has(k)) return `unknown field "${k}"`;
  if (!isInt(raw.seq, 1)) return 'seq: must be an integer ≥ 1';
  if (!isInt(raw.tsMs, MIN_TS_MS, MAX_TS_MS)) return 'tsMs: must be an integer time in ms between 2000 and 3000';
  const metrics = raw.metrics;
  if (!Array.isArray(metrics) || metrics.length > MAX_SAMPLES_PER_REPORT) return `metrics: must be a list of at most ${MAX_SAMPLES_PER_REPORT} samples`;
  if (raw.targetDeviceId !== undefined && !isText(raw.targetDeviceId, 1, 100)) return 'targetDeviceId: must be a device id of 1–100 characters';
  if (raw.checks !== undefined) {
    // Not a schema rule but the gateway's (it answers INVALID_MESSAGE): outcomes belong to a probed device.
    if (raw.targetDeviceId === undefined) return 'checks: only a report with targetDeviceId carries check outcomes';
    if (!Array.isArray(raw.checks) || raw.checks.length > 50) return 'checks: must be a list of at most 50 outcomes';
    for (const c of raw.checks as unknown[]) {
      if (!isObject(c) || !isText(c.checkId, 1, 40) || !CHECK_ID.test(c.checkId) || !CHECK_STATES.has(c.state as string) || !isText(c.message, 0, 500))
        return 'checks: each needs checkId (1–40 characters), state (ok, failed, error) and message (at most 500 characters)';
      for (const k in c) if (!CHECK_KEYS.has(k)) return `checks: unknown field "${k}"`;
    }
  }
  for (let i = 0; i < metrics.length; i++) {
    const problem = sampleProblem(metrics[i]);
    if (problem) return `metrics.${i}: ${problem}`;
  }
  return undefined;
}
