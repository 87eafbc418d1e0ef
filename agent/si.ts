/**
 * systeminformation, loaded on first use. On Linux most collectors read /proc and /sys directly,
 * so an agent whose enabled collectors never need it does not pay for loading it (memory is the
 * agent's tightest budget; see docs/BENCHMARKS.md).
 */
type Si = typeof import('systeminformation');

let loading: Promise<Si> | undefined;

/** The systeminformation module (imported once, shared). */
export function loadSi(): Promise<Si> {
  loading ??= import('systeminformation').then((m) => ((m as { default?: Si }).default ?? m) as Si);
  return loading;
}
