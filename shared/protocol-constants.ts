/**
 * The zod-free half of the agent protocol: version, limits, codes and names. The agent imports
 * only this (and types) so its bundle carries no zod (about 10 MB of RSS); shared/protocol.ts
 * re-exports everything here next to the schemas.
 */
/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts, in bytes (the server closes with 1009 above it). */
export const MAX_FRAME_BYTES = 256 * 1024;
/** Most samples one report may carry. */
export const MAX_SAMPLES_PER_REPORT = 2_000;
export { AGENT_WS_PATH, LIVE_WS_PATH, ENROLL_PATH } from './paths.js';

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
  /** Enrollment of a machine whose device an operator disabled; enable it first. */
  DEVICE_DISABLED: 'DEVICE_DISABLED',
  /** A credentialAck arrived while no credential rotation was pending. */
  NO_PENDING_CREDENTIAL: 'NO_PENDING_CREDENTIAL',
  /** The server could not store the report; the agent keeps it and sends it again later. */
  STORAGE_UNAVAILABLE: 'STORAGE_UNAVAILABLE',
  /** The agent sends faster than allowed; slow down. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** A report's targetDeviceId is not a probed device assigned to this agent (site probe). */
  PROBE_TARGET_FORBIDDEN: 'PROBE_TARGET_FORBIDDEN',
  /** A discoveryResult names a scan that is not running on this agent (finished, cancelled or another probe's). */
  DISCOVERY_SCAN_UNKNOWN: 'DISCOVERY_SCAN_UNKNOWN',
} as const;
export type AgentErrorCode = (typeof AgentErrorCode)[keyof typeof AgentErrorCode];

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** The agent kept sending while told to wait (RATE_LIMITED); reconnect after a backoff. */
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  /** The server cannot store reports right now (STORAGE_UNAVAILABLE); reconnect with backoff and replay. */
  TRY_AGAIN_LATER: 1013,
  /** Another connection for the same device replaced this one. */
  REPLACED: 4001,
  /** The device was disabled or its credential revoked while connected. */
  UNAUTHORIZED: 4003,
  /** The peer speaks a protocol version this end does not. */
  UNSUPPORTED_VERSION: 4005,
  /** No hello within the allowed time after the upgrade. */
  HELLO_TIMEOUT: 4008,
} as const;

/**
 * Collectors an agent may have, by name; `config.collectors` switches them on and off. An agent
 * ignores names it does not know (a newer server may list more).
 */
export const AGENT_COLLECTOR_NAMES = [
  'cpu',
  'memory',
  'filesystems',
  'network',
  'load',
  'system',
  'temperature',
  'battery',
  'services',
  'processes',
  'printers',
  'disks',
  'users',
  'updates',
  'facts',
] as const;
export type AgentCollectorName = (typeof AGENT_COLLECTOR_NAMES)[number];

/** Every inventory section name, in display order. */
export const INVENTORY_SECTIONS = ['services', 'processes', 'printers', 'disks', 'users', 'updates', 'facts'] as const;
/** Names of the inventory sections (shared/protocol.ts checks they match its schema). */
export type InventorySectionName = (typeof INVENTORY_SECTIONS)[number];

/** The `type` values an agent may send. */
export const AGENT_MESSAGE_TYPES = ['hello', 'report', 'inventory', 'credentialAck', 'jobStatus', 'discoveryResult', 'updateStatus'] as const;
/** The `type` values a server may send. */
export const SERVER_MESSAGE_TYPES = ['welcome', 'ack', 'error', 'config', 'credential', 'job', 'jobAck'] as const;

/** What an agent says about a self-update in an `updateStatus` frame (docs/PROTOCOL.md §4.9). */
/**
 * Limits of the agent settings (config.intervalMs, config.watchedServices, config.update): the
 * one place that shared/protocol.ts agentConfigSchema and agentSettingsSchema and the agent's
 * hand-written checks (agent/wire.ts, agent/server-settings.ts) read them from.
 */
export const AGENT_CONFIG_LIMITS = {
  /** Collection interval, ms. */
  minIntervalMs: 1_000,
  maxIntervalMs: 3_600_000,
  /** Most services one watchedServices list may name, and the length of one name. */
  maxWatchedServices: 200,
  maxServiceNameChars: 200,
  /** Length of the agent version an update asks for. */
  maxVersionChars: 50,
} as const;

export const AGENT_UPDATE_STATES = ['installing', 'failed'] as const;
export type AgentUpdateState = (typeof AGENT_UPDATE_STATES)[number];

/**
 * Watch (config.watch, docs/PROTOCOL.md §4.6.3): the metrics a server may ask an agent to sample
 * every second between reports, so a threshold crossing is reported at once instead of at the
 * next interval. Cheap to read on every platform; a rule on any other metric waits for the report.
 */
export const WATCHABLE_METRICS = ['cpu.loadPct', 'mem.usedPct', 'fs.usedPct'] as const;
export type WatchableMetric = (typeof WATCHABLE_METRICS)[number];
/** Most thresholds one `config.watch` may list. */
export const MAX_WATCH_THRESHOLDS = 100;
/** How the agent samples watched metrics and how often it may report early because of them. */
export const WATCH_LIMITS = {
  /** Sampling period of the watched metrics, ms. */
  tickMs: 1_000,
  /** Least time between two early reports, ms. */
  minGapMs: 1_000,
  /** Most early reports in any 60 s. */
  maxPerMinute: 10,
} as const;
/** What the agent logs when a `config.watch` is unusable (it then watches nothing and applies the rest of the config). */
export const WATCH_INVALID = 'WATCH_INVALID';
