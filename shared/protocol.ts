/**
 * Agent protocol, version 1. JSON text frames over one WebSocket per device; every frame is an
 * object with a string `type` and the protocol version `v`. docs/PROTOCOL.md is the prose version
 * of this file; keep them in step.
 *
 *   agent                                   server
 *     | -- HTTP upgrade, Authorization: Bearer <device token> --> |  (401 before any frame if bad)
 *     | -- hello  { streamId, … } ------------------------------> |
 *     | <----------------------- welcome { lastSeq, config } ---- |
 *     | -- report { seq: n, tsMs, metrics } ---------------------> |  (stored in one transaction)
 *     | <------------------------------------ ack { seq: n } ---- |  (only after the commit)
 *     | <---------------- error { code, message, seq?, … } ----- |  (bad frame; never stored)
 */
import { z } from 'zod';
import { findMetric } from './metrics.js';

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts, in bytes (the server closes with 1009 above it). */
export const MAX_FRAME_BYTES = 256 * 1024;
/** Most samples one report may carry. */
export const MAX_SAMPLES_PER_REPORT = 2_000;
/** Path of the agent WebSocket endpoint on the server. */
export const AGENT_WS_PATH = '/agent/ws';
/** Path of the dashboard live WebSocket endpoint on the server. */
export const LIVE_WS_PATH = '/live/ws';
/** Path of the HTTP enrollment endpoint (no session needed; the enrollment token is the secret). */
export const ENROLL_PATH = '/api/enroll';

/** Error codes the server sends in `error` frames and as HTTP error codes for agent calls. */
export const AgentErrorCode = {
  /** The frame was not valid JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** The frame was JSON but not a valid message (the message says which field). */
  INVALID_MESSAGE: 'INVALID_MESSAGE',
  /** `type` is not one the server knows. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** `v` is not a version the server speaks. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** A report arrived before `hello`. */
  HELLO_REQUIRED: 'HELLO_REQUIRED',
  /** A sample names a metric not in the metric list, or has the wrong labels. */
  UNKNOWN_METRIC: 'UNKNOWN_METRIC',
  /** Binary frames are not part of the protocol. */
  BINARY_NOT_SUPPORTED: 'BINARY_NOT_SUPPORTED',
  /** The device credential is missing, wrong, or the device is disabled. */
  AGENT_UNAUTHORIZED: 'AGENT_UNAUTHORIZED',
  /** The enrollment token is unknown, expired or revoked. */
  ENROLLMENT_TOKEN_INVALID: 'ENROLLMENT_TOKEN_INVALID',
  /** The server could not store the report; the agent keeps it and sends it again later. */
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  /** The agent sends faster than allowed; slow down. */
  RATE_LIMITED: 'RATE_LIMITED',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  MESSAGE_TOO_BIG: 1009,
  /** Another connection for the same device replaced this one. */
  REPLACED: 4001,
  /** The device was disabled or its credential revoked while connected. */
  UNAUTHORIZED: 4003,
  /** The peer speaks a protocol version this end does not. */
  UNSUPPORTED_VERSION: 4005,
  /** No hello within the allowed time after the upgrade. */
  HELLO_TIMEOUT: 4008,
} as const;

const version = z.literal(PROTOCOL_VERSION);
const labelValue = z.string().min(1).max(200);
const finite = z.number().finite();

/** One metric sample: a name from shared/metrics.ts, its labels, and a finite number. */
export const sampleSchema = z
  .object({
    name: z.string().min(1).max(100),
    labels: z.record(z.string().min(1).max(40), labelValue).optional(),
    value: finite,
  })
  .strict()
  .superRefine((s, ctx) => {
    const def = findMetric(s.name);
    if (!def) {
      ctx.addIssue({ code: 'custom', message: `unknown metric "${s.name}"`, params: { code: AgentErrorCode.UNKNOWN_METRIC } });
      return;
    }
    const got = Object.keys(s.labels ?? {}).sort().join(',');
    const want = [...def.labelKeys].sort().join(',');
    if (got !== want) {
      ctx.addIssue({
        code: 'custom',
        message: `metric "${s.name}" needs labels [${want}] but got [${got}]`,
        params: { code: AgentErrorCode.UNKNOWN_METRIC },
      });
    }
  });
export type Sample = z.infer<typeof sampleSchema>;

/** Facts about the machine, sent in hello. All optional: send what the platform can tell. */
export const systemFactsSchema = z
  .object({
    platform: z.string().max(50).optional(),
    distro: z.string().max(200).optional(),
    release: z.string().max(200).optional(),
    arch: z.string().max(50).optional(),
    kernel: z.string().max(200).optional(),
    cpuModel: z.string().max(200).optional(),
    cpuCores: z.number().int().min(1).max(4096).optional(),
    memTotalBytes: z.number().int().min(0).optional(),
    manufacturer: z.string().max(200).optional(),
    model: z.string().max(200).optional(),
    serial: z.string().max(200).optional(),
  })
  .strict();
export type SystemFacts = z.infer<typeof systemFactsSchema>;

/** Agent → server, first frame after the upgrade. */
export const helloSchema = z
  .object({
    type: z.literal('hello'),
    v: version,
    agentVersion: z.string().min(1).max(50),
    hostname: z.string().min(1).max(255),
    /**
     * Identifies the agent's sequence stream. A new value (fresh install, lost state) tells the
     * server that `seq` starts again from 1; the same value means seq continues.
     */
    streamId: z.string().min(8).max(64).regex(/^[A-Za-z0-9_-]+$/),
    intervalMs: z.number().int().min(1_000).max(3_600_000),
    facts: systemFactsSchema.optional(),
  })
  .strict();
export type Hello = z.infer<typeof helloSchema>;

/** Agent → server: one collection cycle. */
export const reportSchema = z
  .object({
    type: z.literal('report'),
    v: version,
    /** 1, 2, 3, … per streamId; never reused. */
    seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    /** When the values were collected, ms since the Unix epoch (agent clock). */
    tsMs: z.number().int().min(946_684_800_000).max(32_503_680_000_000),
    metrics: z.array(sampleSchema).max(MAX_SAMPLES_PER_REPORT),
  })
  .strict();
export type Report = z.infer<typeof reportSchema>;

/** Every message an agent may send. */
export const agentMessageSchema = z.discriminatedUnion('type', [helloSchema, reportSchema]);
export type AgentMessage = z.infer<typeof agentMessageSchema>;

/** Settings the server pushes to the agent. */
export const agentConfigSchema = z
  .object({
    intervalMs: z.number().int().min(1_000).max(3_600_000),
  })
  .strict();
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Server → agent: answer to hello. */
export const welcomeSchema = z
  .object({
    type: z.literal('welcome'),
    v: version,
    deviceId: z.string(),
    serverVersion: z.string(),
    /** Highest seq of this streamId already stored (0 if none): the agent drops spooled reports ≤ it. */
    lastSeq: z.number().int().min(0),
    config: agentConfigSchema,
  })
  .strict();
export type Welcome = z.infer<typeof welcomeSchema>;

/** Server → agent: every report with seq ≤ `seq` on this stream is durably stored. */
export const ackSchema = z
  .object({
    type: z.literal('ack'),
    v: version,
    seq: z.number().int().min(1),
  })
  .strict();
export type Ack = z.infer<typeof ackSchema>;

/** Server → agent: a frame was refused. */
export const errorSchema = z
  .object({
    type: z.literal('error'),
    v: version,
    code: z.string(),
    message: z.string(),
    /** The report this error is about, when there is one. */
    seq: z.number().int().min(1).optional(),
    /** false: sending the same frame again can never succeed, so the agent drops it. */
    retryable: z.boolean(),
  })
  .strict();
export type ErrorFrame = z.infer<typeof errorSchema>;

/** Server → agent: new settings while connected. */
export const configMessageSchema = z
  .object({
    type: z.literal('config'),
    v: version,
    config: agentConfigSchema,
  })
  .strict();
export type ConfigMessage = z.infer<typeof configMessageSchema>;

/** Every message the server may send to an agent. */
export const serverMessageSchema = z.discriminatedUnion('type', [welcomeSchema, ackSchema, errorSchema, configMessageSchema]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** HTTP body of POST /api/enroll. */
export const enrollRequestSchema = z
  .object({
    token: z.string().min(10).max(200),
    hostname: z.string().min(1).max(255),
    /** Stable id of the machine (e.g. /etc/machine-id); re-enrolling the same machine reuses its device. */
    machineId: z.string().min(1).max(200).optional(),
    facts: systemFactsSchema.optional(),
  })
  .strict();
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

/** HTTP answer of POST /api/enroll. The device token is shown once; the server keeps only its hash. */
export const enrollResponseSchema = z.object({
  deviceId: z.string(),
  deviceToken: z.string(),
  clientId: z.string(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

const REPORT_KEYS = new Set(['type', 'v', 'seq', 'tsMs', 'metrics']);
const SAMPLE_KEYS = new Set(['name', 'labels', 'value']);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The report schema above as straight-line checks, for the hot path: 15,000 agents send a
 * report every 10 s and zod's general machinery (and the copy it returns) was a quarter of the
 * server's CPU. Returns true only for frames `reportSchema` accepts unchanged (a property test
 * holds it to that); anything else goes through zod, which gives the precise error.
 */
export function isValidReportFast(obj: Record<string, unknown>): boolean {
  if (obj.type !== 'report' || obj.v !== PROTOCOL_VERSION) return false;
  for (const k in obj) if (!REPORT_KEYS.has(k)) return false;
  const { seq, tsMs, metrics } = obj;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return false;
  if (typeof tsMs !== 'number' || !Number.isSafeInteger(tsMs) || tsMs < 946_684_800_000 || tsMs > 32_503_680_000_000) return false;
  if (!Array.isArray(metrics) || metrics.length > MAX_SAMPLES_PER_REPORT) return false;
  for (const s of metrics as unknown[]) {
    if (!isPlainObject(s)) return false;
    let keyCount = 0;
    for (const k in s) {
      if (!SAMPLE_KEYS.has(k)) return false;
      keyCount++;
    }
    const { name, value, labels } = s;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) return false;
    if (typeof value !== 'number' || !Number.isFinite(value)) return false;
    const def = findMetric(name);
    if (!def) return false;
    if (labels === undefined) {
      if (keyCount !== 2 || def.labelKeys.length !== 0) return false;
      continue;
    }
    if (!isPlainObject(labels) || Object.getPrototypeOf(labels) !== Object.prototype) return false;
    let labelCount = 0;
    for (const k in labels) {
      const lv = labels[k];
      if (k.length < 1 || k.length > 40 || typeof lv !== 'string' || lv.length < 1 || lv.length > 200) return false;
      if (!def.labelKeys.includes(k)) return false;
      labelCount++;
    }
    if (labelCount !== def.labelKeys.length) return false;
  }
  return true;
}

/** Result of decoding one text frame: the message, or a precise error to send back. */
export type DecodeResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: AgentErrorCode; message: string; seq?: number };

/**
 * Decodes and validates one agent frame. Never throws: every failure becomes an error code and a
 * message naming the offending field, so the server can answer precisely and move on.
 */
export function decodeAgentMessage(text: string): DecodeResult<AgentMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: AgentErrorCode.INVALID_JSON, message: `frame is not valid JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, code: AgentErrorCode.INVALID_MESSAGE, message: 'frame must be a JSON object' };
  }
  const obj = raw as Record<string, unknown>;
  const seq = typeof obj.seq === 'number' && Number.isSafeInteger(obj.seq) && obj.seq >= 1 ? obj.seq : undefined;
  if (obj.type !== 'hello' && obj.type !== 'report') {
    return { ok: false, code: AgentErrorCode.UNKNOWN_TYPE, message: `unknown message type ${JSON.stringify(obj.type ?? null)}`, seq };
  }
  if (obj.v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: AgentErrorCode.UNSUPPORTED_VERSION,
      message: `protocol version ${JSON.stringify(obj.v ?? null)} is not supported; this server speaks v${PROTOCOL_VERSION}`,
      seq,
    };
  }
  if (isValidReportFast(obj)) return { ok: true, message: obj as Report };
  const parsed = agentMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.') || '(root)';
    const custom = issue.code === 'custom' ? (issue.params as { code?: AgentErrorCode } | undefined)?.code : undefined;
    return { ok: false, code: custom ?? AgentErrorCode.INVALID_MESSAGE, message: `${path}: ${issue.message}`, seq };
  }
  return { ok: true, message: parsed.data };
}

/** Decodes one server frame on the agent side; unknown types are reported, not thrown. */
export function decodeServerMessage(text: string): DecodeResult<ServerMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, code: AgentErrorCode.INVALID_JSON, message: `frame is not valid JSON: ${(err as Error).message}` };
  }
  const obj = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  if (typeof obj.v === 'number' && obj.v !== PROTOCOL_VERSION) {
    return { ok: false, code: AgentErrorCode.UNSUPPORTED_VERSION, message: `server speaks protocol v${obj.v}; this agent speaks v${PROTOCOL_VERSION}` };
  }
  const parsed = serverMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const known = ['welcome', 'ack', 'error', 'config'].includes(String(obj.type));
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      code: known ? AgentErrorCode.INVALID_MESSAGE : AgentErrorCode.UNKNOWN_TYPE,
      message: known ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : `unknown message type ${JSON.stringify(obj.type ?? null)}`,
    };
  }
  return { ok: true, message: parsed.data };
}
