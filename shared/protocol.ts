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
 *     | -- inventory { tsMs, sections } ------------------------> |  (latest details per section; no ack)
 *     | <------------------------------------ config { config } - |  (settings changed on the server)
 *     | <------------------------- credential { deviceToken } --- |  (rotation: new device credential)
 *     | -- credentialAck -----------------------------------------> |  (persisted; the old one stops working)
 */
import { z } from 'zod';
import { findMetric } from './metrics.js';
import { checkResultSchema, probeConfigSchema } from './probe.js';
import { reportProblem } from './report-check.js';
import { jobAckSchema, jobMessageSchema, jobStatusSchema } from './jobs.js';
import { discoveryResultSchema } from './discovery.js';
import {
  AGENT_COLLECTOR_NAMES,
  AGENT_CONFIG_LIMITS,
  AGENT_UPDATE_STATES,
  AGENT_MESSAGE_TYPES,
  AgentErrorCode,
  PROTOCOL_VERSION,
  MAX_SAMPLES_PER_REPORT,
  MAX_WATCH_THRESHOLDS,
  SERVER_MESSAGE_TYPES,
  WATCHABLE_METRICS,
  type InventorySectionName,
} from './protocol-constants.js';

export * from './protocol-constants.js';
export * from './job-constants.js';
export * from './jobs.js';

const version = z.literal(PROTOCOL_VERSION);
const labelKey = z.string().min(1).max(40);
const labelValue = z.string().min(1).max(200);
const finite = z.number().finite();

/**
 * Labels: string → string, parsed into a null-prototype object that keeps every key it was sent.
 * zod's own record drops a `__proto__` key silently (so `{"mount":"/","__proto__":"x"}` passed
 * as if it were `{"mount":"/"}`); here every own key stays, so the sample's label check below
 * refuses `__proto__`, `constructor` and `prototype` exactly like any other extra key, and no
 * label object has a prototype a key could reach.
 */
const labelsSchema = z.unknown().transform((input, ctx): Record<string, string> => {
  const out = Object.create(null) as Record<string, string>;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    ctx.addIssue({ code: 'custom', message: 'Invalid input: expected record' });
    return z.NEVER;
  }
  for (const key of Object.keys(input)) {
    const k = labelKey.safeParse(key);
    if (!k.success) {
      ctx.addIssue({ code: 'custom', message: `label key ${JSON.stringify(key)}: ${k.error.issues[0]!.message}`, path: [key] });
      return z.NEVER;
    }
    const v = labelValue.safeParse((input as Record<string, unknown>)[key]);
    if (!v.success) {
      ctx.addIssue({ code: 'custom', message: v.error.issues[0]!.message, path: [key] });
      return z.NEVER;
    }
    out[key] = v.data;
  }
  return out;
});

/** Copies labels into a null-prototype object (the fast path's counterpart of labelsSchema). */
function toNullPrototype(labels: Record<string, string>): Record<string, string> {
  return Object.assign(Object.create(null) as Record<string, string>, labels);
}

/** One metric sample: a name from shared/metrics.ts, its labels, and a finite number. */
export const sampleSchema = z
  .object({
    name: z.string().min(1).max(100),
    labels: labelsSchema.optional(),
    value: finite,
  })
  .strict()
  .superRefine((s, ctx) => {
    const def = findMetric(s.name);
    if (!def) {
      ctx.addIssue({ code: 'custom', message: `unknown metric "${s.name}"`, params: { code: AgentErrorCode.UNKNOWN_METRIC } });
      return;
    }
    const got = Object.keys(s.labels ?? {})
      .sort()
      .join(',');
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
    /** Release date of the machine's firmware (BIOS/UEFI), YYYY-MM-DD: the best age of the hardware an agent can read. */
    biosDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
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
    streamId: z
      .string()
      .min(8)
      .max(64)
      .regex(/^[A-Za-z0-9_-]+$/),
    intervalMs: z.number().int().min(AGENT_CONFIG_LIMITS.minIntervalMs).max(AGENT_CONFIG_LIMITS.maxIntervalMs),
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
    /**
     * Site probe: the metrics are those of this probed device (assigned to the sending agent in
     * `config.probe`), not of the agent itself. Absent: the agent's own metrics.
     */
    targetDeviceId: z.string().min(1).max(100).optional(),
    /** With targetDeviceId: the latest outcome of each check, in words. */
    checks: z.array(checkResultSchema).max(50).optional(),
  })
  .strict();
export type Report = z.infer<typeof reportSchema>;

/** A non-empty string of at most `max` characters. */
const shortText = (max: number) => z.string().min(1).max(max);

/** One watched service. `state` is the platform's word (systemd ActiveState, Windows state). */
export const serviceInfoSchema = z
  .object({
    name: shortText(200),
    isRunning: z.boolean(),
    state: z.string().max(50).optional(),
    /** How the service starts: enabled/disabled (systemd), auto/manual/disabled (Windows). */
    startMode: z.string().max(50).optional(),
  })
  .strict();

/** One process in the top-N lists. */
export const processInfoSchema = z
  .object({
    pid: z.number().int().min(0),
    name: shortText(200),
    cpuPct: finite.min(0),
    memBytes: z.number().int().min(0),
    user: z.string().max(100).optional(),
  })
  .strict();

/** One printer and its status. */
export const printerInfoSchema = z
  .object({
    name: shortText(200),
    /** The platform's word: idle, printing, stopped, offline, error, … */
    status: z.string().max(50),
    hasError: z.boolean(),
    isDefault: z.boolean().optional(),
    model: z.string().max(200).optional(),
    uri: z.string().max(500).optional(),
  })
  .strict();

/** One physical disk with its SMART verdict ('unknown' when the platform or permissions cannot tell). */
export const diskInfoSchema = z
  .object({
    device: shortText(200),
    name: z.string().max(200).optional(),
    vendor: z.string().max(200).optional(),
    type: z.string().max(50).optional(),
    interfaceType: z.string().max(50).optional(),
    sizeBytes: z.number().int().min(0).optional(),
    serial: z.string().max(200).optional(),
    smartStatus: z.enum(['ok', 'failing', 'unknown']),
    temperatureCelsius: finite.optional(),
  })
  .strict();

/** One login session. */
export const userSessionSchema = z
  .object({
    user: shortText(100),
    terminal: z.string().max(100).optional(),
    host: z.string().max(255).optional(),
    loginAtMs: z.number().int().min(0).optional(),
  })
  .strict();

/** Pending OS updates, where the platform can tell. */
export const updatesInfoSchema = z
  .object({
    pendingCount: z.number().int().min(0),
    securityCount: z.number().int().min(0).optional(),
    /** Which mechanism was asked: apt, dnf, windows-update, softwareupdate. */
    source: shortText(50),
    /** Package or update names, at most 500 (the count stays exact). */
    packages: z.array(shortText(200)).max(500).optional(),
  })
  .strict();

/** Inventory sections; each is the complete current state of its kind (it replaces the previous one). */
export const inventorySectionsSchema = z
  .object({
    services: z.array(serviceInfoSchema).max(200).optional(),
    processes: z
      .object({ byCpu: z.array(processInfoSchema).max(20), byMem: z.array(processInfoSchema).max(20) })
      .strict()
      .optional(),
    printers: z.array(printerInfoSchema).max(100).optional(),
    disks: z.array(diskInfoSchema).max(100).optional(),
    users: z.array(userSessionSchema).max(500).optional(),
    updates: updatesInfoSchema.optional(),
    facts: systemFactsSchema.optional(),
  })
  .strict();
export type InventorySections = z.infer<typeof inventorySectionsSchema>;
/** Names of the inventory sections. */
export type InventorySection = keyof InventorySections;
// protocol-constants.ts lists them without zod; both must name the same sections.
const sectionsMatch: [InventorySection] extends [InventorySectionName] ? ([InventorySectionName] extends [InventorySection] ? true : false) : false = true;
void sectionsMatch;

/**
 * Agent → server: details that do not fit numeric samples (service list, top processes, printers,
 * disks, sessions, updates, changed facts). Sent after welcome with every section the agent has,
 * then whenever a section changes. Not acknowledged and not spooled: it is latest-state, and the
 * next connection sends it again.
 */
export const inventorySchema = z
  .object({
    type: z.literal('inventory'),
    v: version,
    /** When the sections were collected, ms since the Unix epoch (agent clock). */
    tsMs: z.number().int().min(946_684_800_000).max(32_503_680_000_000),
    sections: inventorySectionsSchema,
  })
  .strict();
export type Inventory = z.infer<typeof inventorySchema>;

/** Agent → server: the credential from a `credential` frame is persisted; the server may retire the old one. */
export const credentialAckSchema = z
  .object({
    type: z.literal('credentialAck'),
    v: version,
  })
  .strict();
export type CredentialAck = z.infer<typeof credentialAckSchema>;

/**
 * Agent → server: how a self-update to `version` is going (the server wanted it in config.update).
 * `installing`: verified and swapped, the new version is starting; `failed`: refused or rolled
 * back, `code` and `message` say why. The agent sends its latest status after every welcome.
 */
export const updateStatusSchema = z
  .object({
    type: z.literal('updateStatus'),
    v: version,
    version: z.string().min(1).max(50),
    state: z.enum(AGENT_UPDATE_STATES),
    code: z
      .string()
      .regex(/^[A-Z0-9_]{1,64}$/)
      .optional(),
    message: z.string().max(500).optional(),
    tsMs: z.number().int().min(946_684_800_000).max(32_503_680_000_000),
  })
  .strict();
export type UpdateStatus = z.infer<typeof updateStatusSchema>;

/** Every message an agent may send. */
export const agentMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  reportSchema,
  inventorySchema,
  credentialAckSchema,
  jobStatusSchema,
  updateStatusSchema,
  discoveryResultSchema,
]);

export type AgentMessage = z.infer<typeof agentMessageSchema>;

/*
 * Server → agent schemas are deliberately not strict: a newer server may add fields, and
 * deployed agents must keep working (they ignore what they do not know).
 */

/** Collection interval, ms: the agent's own (hello), a pushed one (config) and a stored setting. */
const intervalMsSchema = z.number().int().min(AGENT_CONFIG_LIMITS.minIntervalMs).max(AGENT_CONFIG_LIMITS.maxIntervalMs);
const serviceName = z.string().min(1).max(AGENT_CONFIG_LIMITS.maxServiceNameChars);

/**
 * One threshold the agent watches (config.watch): the simple part of a threshold rule. The agent
 * reports early when a matching sample goes beyond `threshold` (above: >, below: <) while the
 * server last saw it on the clear side, or comes back to `clearThreshold` (above: ≤, below: ≥)
 * while the server last saw it beyond.
 */
export const watchThresholdSchema = z
  .object({
    metric: z.enum(WATCHABLE_METRICS),
    /** Label values a sample must have (e.g. { mount: "/" }); absent or {}: every series of the metric. */
    labels: z.record(labelKey, labelValue).optional(),
    op: z.enum(['above', 'below']),
    threshold: finite,
    clearThreshold: finite,
  })
  .refine((t) => (t.op === 'above' ? t.clearThreshold <= t.threshold : t.clearThreshold >= t.threshold), {
    message: 'clearThreshold must be on the clear side of threshold (≤ for above, ≥ for below)',
    path: ['clearThreshold'],
  });
export type WatchThreshold = z.infer<typeof watchThresholdSchema>;

/** What the agent samples every second between reports; absent or no thresholds: nothing. */
export const watchConfigSchema = z.object({
  thresholds: z.array(watchThresholdSchema).max(MAX_WATCH_THRESHOLDS),
});
export type WatchConfig = z.infer<typeof watchConfigSchema>;

/** Settings the server pushes to the agent. */
export const agentConfigSchema = z.object({
  /** Collection interval, ms. */
  intervalMs: intervalMsSchema,
  /** Services whose state the agent reports (service.isRunning{service} and inventory.services). Absent: keep the current list. */
  watchedServices: z.array(serviceName).max(AGENT_CONFIG_LIMITS.maxWatchedServices).optional(),
  /** Collector switches by name; a missing name keeps its default (on). */
  collectors: z.record(z.string(), z.boolean()).optional(),
  /** Site probe: the devices this agent checks for the server (shared/probe.ts). Absent or no targets: no probing. */
  probe: probeConfigSchema.optional(),
  /** Self-update: the agent version the server wants this device to run. Absent: keep the running version. */
  update: z.object({ version: z.string().min(1).max(AGENT_CONFIG_LIMITS.maxVersionChars) }).optional(),
  /**
   * Thresholds to watch between reports (early reports on a crossing). Always the complete list;
   * absent (an older server) or empty: the agent watches nothing and reports on its interval only.
   */
  watch: watchConfigSchema.optional(),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/**
 * Agent settings kept on the server for a client or a device (REST PUT …/agent-config, stored as
 * JSON): a partial agent config, strict (typos are errors), service names trimmed and collector
 * names limited to the collectors this version has. server/store/agent-settings.ts merges them
 * into the config pushed to an agent.
 */
export const agentSettingsSchema = z
  .object({
    intervalMs: intervalMsSchema,
    /** Services whose state the agent reports (systemd units, Windows service names). */
    watchedServices: z.array(serviceName.trim()).max(AGENT_CONFIG_LIMITS.maxWatchedServices),
    /** Collector switches; a collector left out keeps running. */
    collectors: z.record(z.string(), z.boolean()).refine((m) => Object.keys(m).every((k) => (AGENT_COLLECTOR_NAMES as readonly string[]).includes(k)), {
      message: `collector names must be among: ${AGENT_COLLECTOR_NAMES.join(', ')}`,
    }),
  })
  .partial()
  .strict();
export type AgentSettings = z.infer<typeof agentSettingsSchema>;

/** Server → agent: answer to hello. */
export const welcomeSchema = z.object({
  type: z.literal('welcome'),
  v: version,
  deviceId: z.string(),
  serverVersion: z.string(),
  /** Highest seq of this streamId already stored (0 if none): the agent drops spooled reports ≤ it. */
  lastSeq: z.number().int().min(0),
  config: agentConfigSchema,
  /** The server's job-signing public key (JOB_KEY_PREFIX + base64url of the raw 32 bytes); pinned if the agent has none. */
  jobSigningKey: z.string().max(100).optional(),
  /**
   * Only from a server that still has the job key of an older installation: the server's one key
   * (base64 raw Ed25519) and the job key's signature (base64url) over
   * signingMessage('signing-key-endorsement', [publicKey]). An agent that pinned only the job key
   * checks it with that key and pins `publicKey` as its signing key.
   */
  signingKeyEndorsement: z.object({ publicKey: z.string().max(100), signature: z.string().max(100) }).optional(),
});
export type Welcome = z.infer<typeof welcomeSchema>;

/** Server → agent: every report with seq ≤ `seq` on this stream is durably stored. */
export const ackSchema = z.object({
  type: z.literal('ack'),
  v: version,
  seq: z.number().int().min(1),
});
export type Ack = z.infer<typeof ackSchema>;

/** Server → agent: a frame was refused. */
export const errorSchema = z.object({
  type: z.literal('error'),
  v: version,
  code: z.string(),
  message: z.string(),
  /** The report this error is about, when there is one. */
  seq: z.number().int().min(1).optional(),
  /** false: sending the same frame again can never succeed, so the agent drops it. */
  retryable: z.boolean(),
  /** With RATE_LIMITED: how long to wait before sending more, ms. */
  retryAfterMs: z.number().int().min(0).optional(),
});
export type ErrorFrame = z.infer<typeof errorSchema>;

/** Server → agent: new settings while connected. */
export const configMessageSchema = z.object({
  type: z.literal('config'),
  v: version,
  config: agentConfigSchema,
});
export type ConfigMessage = z.infer<typeof configMessageSchema>;

/**
 * Server → agent: a new device credential (rotation). The agent persists it (0600) and then
 * answers `credentialAck`; from then on only the new credential is accepted. Until the ack, the
 * old one keeps working, so an agent that crashes mid-rotation is never locked out.
 */
export const credentialMessageSchema = z.object({
  type: z.literal('credential'),
  v: version,
  deviceToken: z.string().min(10).max(200),
});
export type CredentialMessage = z.infer<typeof credentialMessageSchema>;

/** Every message the server may send to an agent. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  ackSchema,
  errorSchema,
  configMessageSchema,
  credentialMessageSchema,
  jobMessageSchema,
  jobAckSchema,
]);

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
  /** The server's job-signing public key; the agent pins it in its config at enrollment. */
  jobSigningKey: z.string().max(100).optional(),
  /** The server's Ed25519 public key; the agent pins it and accepts only executables it signed. */
  signingKey: z.object({ algorithm: z.literal('Ed25519'), publicKey: z.string(), keyId: z.string() }).optional(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

/**
 * True only for frames `reportSchema` accepts unchanged (shared/report-check.ts, the zod-free
 * check both the server's hot path and the agent use); anything else goes through zod, which
 * gives the precise error code.
 */
export function isValidReportFast(obj: Record<string, unknown>): boolean {
  return reportProblem(obj) === undefined;
}

/** Result of decoding one text frame: the message, or a precise error to send back. */
export type DecodeResult<T> = { ok: true; message: T } | { ok: false; code: AgentErrorCode; message: string; seq?: number };

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
  if (!(AGENT_MESSAGE_TYPES as readonly unknown[]).includes(obj.type)) {
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
  if (isValidReportFast(obj)) {
    // Same shape as the schema's output: labels without a prototype.
    for (const m of obj.metrics as Sample[]) if (m.labels) m.labels = toNullPrototype(m.labels);
    return { ok: true, message: obj as Report };
  }
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
    const known = (SERVER_MESSAGE_TYPES as readonly unknown[]).includes(obj.type);
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      code: known ? AgentErrorCode.INVALID_MESSAGE : AgentErrorCode.UNKNOWN_TYPE,
      message: known ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : `unknown message type ${JSON.stringify(obj.type ?? null)}`,
    };
  }
  return { ok: true, message: parsed.data };
}
