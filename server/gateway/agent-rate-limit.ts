/**
 * Flood control of the agent socket. Each device has two token buckets that survive its
 * reconnects: frames (every frame and every upgrade costs one) and values (each report costs
 * its sample count). A legitimate agent needs one report per interval (≥ 1 s) plus a replay of
 * its spool after an outage, which the bursts cover; a flood runs them dry.
 *
 *   frame arrives ─ connection waiting? ─yes─▶ discarded unread (counted; > maxRefusedPerWait ⇒ close 1008)
 *                        │no
 *                   frame token? ─no─▶ RATE_LIMITED { retryAfterMs, seq? } ; wait retryAfterMs
 *                        │yes
 *                   report: value tokens? ─no─▶ RATE_LIMITED { seq, retryAfterMs } ; wait
 *                        │yes
 *                   report with seq > a refused seq on this connection? ─yes─▶ RATE_LIMITED (resend that one first)
 *                        │no
 *                   handled
 *
 * Acks mean "everything up to seq is stored", so a report after a refused one is never taken on
 * the same connection before the refused one is: nothing is acked past an unstored report.
 * Pure state and functions here; the gateway keeps the maps and sends the frames.
 */

/** Limits of one device; rates per second. */
export interface AgentRateLimitPolicy {
  /** Frames (and upgrades) a device may send at once. */
  burstFrames: number;
  refillFramesPerSec: number;
  /** Sample values a device may report at once. */
  burstValues: number;
  refillValuesPerSec: number;
  /** Frames a connection may send while told to wait before it is closed with 1008. */
  maxRefusedPerWait: number;
}

/**
 * Defaults. Bursts cover an agent's replay window after an outage (the bundled agent sends up to
 * 500 reports before it waits for acks); sustained rates are 20 frames/s (200× what an agent at a
 * 10 s interval needs) and 10,000 values/s (a tenth of what the server ingests in total).
 */
export const DEFAULT_AGENT_RATE_LIMIT: AgentRateLimitPolicy = {
  burstFrames: 600,
  refillFramesPerSec: 20,
  burstValues: 300_000,
  refillValuesPerSec: 10_000,
  maxRefusedPerWait: 1_000,
};

/** A token bucket: tokens held at `atMs`. */
export interface Bucket {
  tokens: number;
  atMs: number;
}

/** A full bucket. */
export function fullBucket(capacity: number, nowMs: number): Bucket {
  return { tokens: capacity, atMs: nowMs };
}

/**
 * Takes `cost` tokens if the bucket (refilled up to `nowMs`) holds them; otherwise takes nothing
 * and says how long until it would hold max(cost, one second of refill), capped at the capacity.
 */
export function takeTokens(
  b: Bucket,
  cost: number,
  capacity: number,
  perSec: number,
  nowMs: number,
): { bucket: Bucket; ok: true } | { bucket: Bucket; ok: false; retryAfterMs: number } {
  const tokens = Math.min(capacity, b.tokens + (Math.max(0, nowMs - b.atMs) * perSec) / 1000);
  if (tokens >= cost) return { bucket: { tokens: tokens - cost, atMs: nowMs }, ok: true };
  const want = Math.min(capacity, Math.max(cost, perSec));
  return { bucket: { tokens, atMs: nowMs }, ok: false, retryAfterMs: Math.max(1, Math.ceil(((want - tokens) * 1000) / perSec)) };
}

/** The buckets of one device. */
export interface DeviceBuckets {
  frames: Bucket;
  values: Bucket;
}

/** Rate-limit state of one connection. */
export interface ConnectionLimitState {
  /** Until when frames are discarded unread (the agent was told to wait). */
  waitUntilMs: number;
  /** Frames discarded during the current wait. */
  refusedInWait: number;
  /** Lowest refused report seq not yet taken again; reports above it are refused. */
  refusedSeq: number | null;
}

/** A connection's initial state. */
export function freshConnectionLimit(): ConnectionLimitState {
  return { waitUntilMs: 0, refusedInWait: 0, refusedSeq: null };
}

/** What to do with a frame before it is parsed. */
export type FrameVerdict = { kind: 'handle' } | { kind: 'discard' } | { kind: 'close' } | { kind: 'refuse'; retryAfterMs: number };

/** Decides on a frame before it is parsed: during a wait it is discarded (or the connection closed); else it costs one frame token. */
export function admitFrame(device: DeviceBuckets, conn: ConnectionLimitState, policy: AgentRateLimitPolicy, nowMs: number): FrameVerdict {
  if (nowMs < conn.waitUntilMs) {
    conn.refusedInWait++;
    return conn.refusedInWait > policy.maxRefusedPerWait ? { kind: 'close' } : { kind: 'discard' };
  }
  const r = takeTokens(device.frames, 1, policy.burstFrames, policy.refillFramesPerSec, nowMs);
  device.frames = r.bucket;
  if (r.ok) return { kind: 'handle' };
  startWait(conn, nowMs, r.retryAfterMs);
  return { kind: 'refuse', retryAfterMs: r.retryAfterMs };
}

/** Decides on a parsed report: values it may not cost yet, or a seq past a refused one, refuse it. */
export function admitReport(
  device: DeviceBuckets,
  conn: ConnectionLimitState,
  policy: AgentRateLimitPolicy,
  seq: number,
  values: number,
  nowMs: number,
): { ok: true } | { ok: false; retryAfterMs: number; isOutOfOrder: boolean } {
  if (conn.refusedSeq !== null && seq > conn.refusedSeq) return { ok: false, retryAfterMs: 0, isOutOfOrder: true };
  const r = takeTokens(device.values, values, policy.burstValues, policy.refillValuesPerSec, nowMs);
  device.values = r.bucket;
  if (!r.ok) {
    conn.refusedSeq = Math.min(conn.refusedSeq ?? seq, seq);
    startWait(conn, nowMs, r.retryAfterMs);
    return { ok: false, retryAfterMs: r.retryAfterMs, isOutOfOrder: false };
  }
  if (conn.refusedSeq !== null && seq <= conn.refusedSeq) conn.refusedSeq = null;
  return { ok: true };
}

/** Marks a report refused by the frame bucket, so nothing after it is taken first. */
export function noteRefusedReport(conn: ConnectionLimitState, seq: number): void {
  conn.refusedSeq = Math.min(conn.refusedSeq ?? seq, seq);
}

function startWait(conn: ConnectionLimitState, nowMs: number, retryAfterMs: number): void {
  conn.waitUntilMs = nowMs + retryAfterMs;
  conn.refusedInWait = 0;
}
