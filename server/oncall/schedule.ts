/**
 * On-call schedules, pure: who is on call at an instant, until when, and who is next.
 *
 * A schedule has layers and overrides, read in one IANA time zone (via Intl, so handoffs follow
 * daylight saving time: "Monday 09:00 Europe/Amsterdam" stays 09:00 local all year).
 *
 *   layer     a rotation of users; shift k starts at startDate + k × rotationDays at handoffTime
 *             (local) and belongs to users[k mod n]. Before startDate the layer is empty.
 *             Optional restrictions limit it to local times (e.g. mon–fri 18:00–08:00; an end
 *             at or before the start runs into the next day).
 *   layers    the last layer that is active at t wins (layer 2 is drawn above layer 1).
 *   override  beats every layer for [startsAtMs, endsAtMs); the latest-starting one wins.
 */
import { WEEKDAYS, type Weekday } from '../../shared/alert-types.js';
import { parseLocalDate, parseLocalTime, zonedParts, zonedTimeToMs } from '../time/zones.js';

/** Local times when a layer applies. */
export interface LayerRestriction {
  /** Days on which the period starts. */
  days: readonly Weekday[];
  /** Local "HH:MM". */
  startTime: string;
  /** Local "HH:MM"; at or before startTime means the next day. */
  endTime: string;
}

/** One rotation. */
export interface RotationLayer {
  name: string;
  /** Users in rotation order. */
  userIds: readonly string[];
  /** Shift length in local days (7 = weekly). */
  rotationDays: number;
  /** Local date of the first handoff, "YYYY-MM-DD". */
  startDate: string;
  /** Local "HH:MM" of every handoff. */
  handoffTime: string;
  /** Empty = always. */
  restrictions: readonly LayerRestriction[];
}

/** Someone taking over a period. */
export interface ScheduleOverride {
  userId: string;
  startsAtMs: number;
  endsAtMs: number;
}

/** Everything the computation needs. */
export interface ScheduleSpec {
  timezone: string;
  layers: readonly RotationLayer[];
  overrides: readonly ScheduleOverride[];
}

/** Who is on call at an instant, and why. */
export interface OnCall {
  userId: string | null;
  source: 'override' | 'layer' | 'nobody';
  /** The layer's name when source is 'layer'. */
  layer: string | null;
}

/** A stretch of time with one person on call. */
export interface Shift extends OnCall {
  startsAtMs: number;
  /** null when nothing changes within the horizon looked at. */
  endsAtMs: number | null;
}

const DAY_MS = 86_400_000;

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function addDays(d: LocalDate, n: number): LocalDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + n));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function weekdayOf(d: LocalDate): Weekday {
  return WEEKDAYS[new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay()]!;
}

/** The instant of handoff k of a layer. */
function handoffAt(layer: RotationLayer, timezone: string, k: number): number {
  const d = addDays(parseLocalDate(layer.startDate)!, k * layer.rotationDays);
  return zonedTimeToMs(d.year, d.month, d.day, parseLocalTime(layer.handoffTime), timezone);
}

/** The shift number of a layer at t, or null before its start. */
export function shiftIndexAt(layer: RotationLayer, timezone: string, tMs: number): number | null {
  const first = handoffAt(layer, timezone, 0);
  if (tMs < first) return null;
  let k = Math.floor((tMs - first) / (layer.rotationDays * DAY_MS));
  while (k > 0 && handoffAt(layer, timezone, k) > tMs) k--;
  while (handoffAt(layer, timezone, k + 1) <= tMs) k++;
  return k;
}

/** True when a restriction period covers t. */
function isRestrictionActive(r: LayerRestriction, timezone: string, tMs: number): boolean {
  const p = zonedParts(tMs, timezone);
  const start = parseLocalTime(r.startTime);
  const end = parseLocalTime(r.endTime);
  const today = WEEKDAYS[p.weekday]!;
  if (end > start) return r.days.includes(today) && p.minuteOfDay >= start && p.minuteOfDay < end;
  const yesterday = WEEKDAYS[(p.weekday + 6) % 7]!;
  return (r.days.includes(today) && p.minuteOfDay >= start) || (r.days.includes(yesterday) && p.minuteOfDay < end);
}

function isLayerActive(layer: RotationLayer, timezone: string, tMs: number): boolean {
  return layer.restrictions.length === 0 || layer.restrictions.some((r) => isRestrictionActive(r, timezone, tMs));
}

/** Who is on call at t. */
export function onCallAt(spec: ScheduleSpec, tMs: number): OnCall {
  let override: ScheduleOverride | undefined;
  for (const o of spec.overrides) {
    if (o.startsAtMs <= tMs && tMs < o.endsAtMs && (!override || o.startsAtMs >= override.startsAtMs)) override = o;
  }
  if (override) return { userId: override.userId, source: 'override', layer: null };
  for (let i = spec.layers.length - 1; i >= 0; i--) {
    const layer = spec.layers[i]!;
    if (layer.userIds.length === 0 || !isLayerActive(layer, spec.timezone, tMs)) continue;
    const k = shiftIndexAt(layer, spec.timezone, tMs);
    if (k === null) continue;
    return { userId: layer.userIds[k % layer.userIds.length]!, source: 'layer', layer: layer.name };
  }
  return { userId: null, source: 'nobody', layer: null };
}

/** The first instant after t at which the answer of onCallAt may change, or null. */
export function nextBoundary(spec: ScheduleSpec, tMs: number): number | null {
  let best = Number.POSITIVE_INFINITY;
  const consider = (ms: number) => {
    if (ms > tMs && ms < best) best = ms;
  };
  for (const o of spec.overrides) {
    consider(o.startsAtMs);
    consider(o.endsAtMs);
  }
  for (const layer of spec.layers) {
    if (layer.userIds.length === 0) continue;
    const k = shiftIndexAt(layer, spec.timezone, tMs);
    consider(handoffAt(layer, spec.timezone, k === null ? 0 : k + 1));
    if (layer.restrictions.length === 0) continue;
    const p = zonedParts(tMs, spec.timezone);
    const today: LocalDate = { year: p.year, month: p.month, day: p.day };
    for (let offset = -1; offset <= 7; offset++) {
      const d = addDays(today, offset);
      for (const r of layer.restrictions) {
        if (!r.days.includes(weekdayOf(d))) continue;
        const start = parseLocalTime(r.startTime);
        const end = parseLocalTime(r.endTime);
        const endDay = end > start ? d : addDays(d, 1);
        consider(zonedTimeToMs(d.year, d.month, d.day, start, spec.timezone));
        consider(zonedTimeToMs(endDay.year, endDay.month, endDay.day, end, spec.timezone));
      }
    }
  }
  return Number.isFinite(best) ? best : null;
}

function isSame(a: OnCall, b: OnCall): boolean {
  return a.userId === b.userId && a.source === b.source && a.layer === b.layer;
}

/** Shifts covering [fromMs, toMs), consecutive and merged where nothing changes. */
export function shiftsBetween(spec: ScheduleSpec, fromMs: number, toMs: number, maxShifts = 500): Shift[] {
  const shifts: Shift[] = [];
  let t = fromMs;
  let current: Shift = { ...onCallAt(spec, t), startsAtMs: t, endsAtMs: null };
  while (shifts.length < maxShifts) {
    const b = nextBoundary(spec, t);
    if (b === null || b >= toMs) break;
    const at = onCallAt(spec, b);
    if (!isSame(at, current)) {
      shifts.push({ ...current, endsAtMs: b });
      current = { ...at, startsAtMs: b, endsAtMs: null };
    }
    t = b;
  }
  shifts.push({ ...current, endsAtMs: toMs });
  return shifts;
}

/**
 * Who is on call now and until when, and who takes over next (the next different person) and
 * until when. Looks `horizonMs` ahead (default 60 days); beyond that ends are null.
 */
export function onCallNowAndNext(spec: ScheduleSpec, nowMs: number, horizonMs = 60 * DAY_MS): { current: Shift; next: Shift | null } {
  const current: Shift = { ...onCallAt(spec, nowMs), startsAtMs: nowMs, endsAtMs: null };
  let next: Shift | null = null;
  let t = nowMs;
  for (let steps = 0; steps < 2000; steps++) {
    const b = nextBoundary(spec, t);
    if (b === null || b > nowMs + horizonMs) break;
    const at = onCallAt(spec, b);
    if (!next && at.userId !== current.userId) {
      current.endsAtMs = b;
      next = { ...at, startsAtMs: b, endsAtMs: null };
    } else if (next && at.userId !== next.userId) {
      next.endsAtMs = b;
      break;
    }
    t = b;
  }
  return { current, next };
}
