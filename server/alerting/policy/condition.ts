/**
 * The condition state machine every rule kind shares. A rule kind only turns its input into a
 * signal (breach / hold / clear, or none when only time passes); this machine decides, from the
 * signal, the clock and the durations, when a condition opens and closes. Pure: no I/O, no clock.
 *
 *   phase     input                                                   → phase     event
 *   ───────── ─────────────────────────────────────────────────────── ─────────── ────────
 *   ok        breach, forMs = 0                                       → firing    opened
 *   ok        breach, forMs > 0                                       → pending   —
 *   ok        hold | clear | none                                     → ok        —
 *   pending   breach, now − since ≥ forMs                             → firing    opened
 *   pending   breach, otherwise                                       → pending   —
 *   pending   hold | clear              (the `for` window is broken)  → ok        —
 *   pending   none, last breach fresh and now − since ≥ forMs         → firing    opened
 *   pending   none, last breach older than staleAfterMs               → ok        —
 *   firing    breach | hold | none      (hysteresis band keeps it)    → firing    —
 *   firing    clear, holdMs = 0                                       → ok        cleared
 *   firing    clear, holdMs > 0                                       → clearing  —
 *   clearing  clear | none, now − since ≥ holdMs                      → ok        cleared
 *   clearing  breach | hold             (did not stay clear)          → firing    —
 *
 *   holdMs = clearForMs, or max(clearForMs, FLAP_DAMPING.holdMs) while flapping.
 *
 * Flap damping: a condition that opened FLAP_DAMPING.maxOpens times within
 * FLAP_DAMPING.windowMs is flapping. Its opened event says so, and it then only clears after
 * staying clear for the flap hold time, so an oscillating value yields one long alert instead of
 * a page every few samples.
 */

/** What a rule kind makes of one input. `none`: no new information, only time has passed. */
export type Signal = 'breach' | 'hold' | 'clear' | 'none';

/** Where a condition is in its lifecycle. */
export type Phase = 'ok' | 'pending' | 'firing' | 'clearing';

/** The state of one condition (rule × device × labels). */
export interface ConditionState {
  phase: Phase;
  /** When the current pending/clearing phase began, ms; 0 in ok and firing. */
  sinceMs: number;
  /** When the current open period began, ms; null when not open. */
  openedAtMs: number | null;
  /** The last breach/hold/clear signal and when it came, ms. */
  lastSignal: Exclude<Signal, 'none'> | null;
  lastSignalAtMs: number;
  /** Times the condition opened within the flap window, oldest first. */
  recentOpensMs: number[];
  isFlapping: boolean;
}

/** Durations that govern one condition, all ms. */
export interface ConditionTiming {
  forMs: number;
  clearForMs: number;
  /** A breach older than this no longer counts toward a `for` window on a tick. */
  staleAfterMs: number;
}

/** What the machine reports; the engine turns it into alert/incident changes. */
export type ConditionEvent = { type: 'opened'; atMs: number; isFlapping: boolean } | { type: 'cleared'; atMs: number; openedAtMs: number };

/** Flap damping settings. */
export const FLAP_DAMPING = {
  /** Window in which opens are counted, ms. */
  windowMs: 15 * 60_000,
  /** Opens within the window that make a condition flapping. */
  maxOpens: 3,
  /** How long a flapping condition must stay clear before it closes, ms. */
  holdMs: 10 * 60_000,
} as const;

/** A condition that has never been evaluated. */
export const INITIAL_CONDITION: ConditionState = Object.freeze({
  phase: 'ok',
  sinceMs: 0,
  openedAtMs: null,
  lastSignal: null,
  lastSignalAtMs: 0,
  recentOpensMs: Object.freeze([]) as unknown as number[],
  isFlapping: false,
}) as ConditionState;

/** True when nothing about the state is worth keeping (lets the engine drop it). */
export function isIdleCondition(s: ConditionState, nowMs: number): boolean {
  return s.phase === 'ok' && (s.recentOpensMs.length === 0 || s.recentOpensMs.at(-1)! < nowMs - FLAP_DAMPING.windowMs);
}

/** Advances one condition by one signal at `nowMs`. */
export function stepCondition(
  state: ConditionState,
  signal: Signal,
  timing: ConditionTiming,
  nowMs: number,
): { state: ConditionState; events: ConditionEvent[] } {
  const s: ConditionState = signal === 'none' ? state : { ...state, lastSignal: signal, lastSignalAtMs: nowMs };
  switch (s.phase) {
    case 'ok':
      if (signal !== 'breach') return { state: s, events: [] };
      if (timing.forMs <= 0) return open(s, nowMs);
      return { state: { ...s, phase: 'pending', sinceMs: nowMs }, events: [] };

    case 'pending':
      if (signal === 'breach') {
        return nowMs - s.sinceMs >= timing.forMs ? open(s, nowMs) : { state: s, events: [] };
      }
      if (signal === 'none') {
        const isFresh = s.lastSignal === 'breach' && nowMs - s.lastSignalAtMs <= timing.staleAfterMs;
        if (!isFresh) return { state: { ...s, phase: 'ok', sinceMs: 0 }, events: [] };
        return nowMs - s.sinceMs >= timing.forMs ? open(s, nowMs) : { state: s, events: [] };
      }
      return { state: { ...s, phase: 'ok', sinceMs: 0 }, events: [] };

    case 'firing': {
      if (signal !== 'clear') return { state: s, events: [] };
      const holdMs = holdTimeMs(s, timing);
      if (holdMs <= 0) return close(s, nowMs);
      return { state: { ...s, phase: 'clearing', sinceMs: nowMs }, events: [] };
    }

    case 'clearing':
      if (signal === 'breach' || signal === 'hold') return { state: { ...s, phase: 'firing', sinceMs: 0 }, events: [] };
      if (nowMs - s.sinceMs >= holdTimeMs(s, timing)) return close(s, nowMs);
      return { state: s, events: [] };
  }
}

function holdTimeMs(s: ConditionState, timing: ConditionTiming): number {
  return s.isFlapping ? Math.max(timing.clearForMs, FLAP_DAMPING.holdMs) : timing.clearForMs;
}

function open(s: ConditionState, nowMs: number): { state: ConditionState; events: ConditionEvent[] } {
  const recentOpensMs = [...s.recentOpensMs.filter((t) => t > nowMs - FLAP_DAMPING.windowMs), nowMs];
  const isFlapping = recentOpensMs.length >= FLAP_DAMPING.maxOpens;
  return {
    state: { ...s, phase: 'firing', sinceMs: 0, openedAtMs: nowMs, recentOpensMs, isFlapping },
    events: [{ type: 'opened', atMs: nowMs, isFlapping }],
  };
}

function close(s: ConditionState, nowMs: number): { state: ConditionState; events: ConditionEvent[] } {
  return {
    state: { ...s, phase: 'ok', sinceMs: 0, openedAtMs: null, isFlapping: false },
    events: [{ type: 'cleared', atMs: nowMs, openedAtMs: s.openedAtMs ?? nowMs }],
  };
}
