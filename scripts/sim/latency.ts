/** A fixed-bin latency histogram (1 ms bins to 1 s, 10 ms bins to 60 s) that merges across processes. */
export const LATENCY_BINS = 1_000 + 5_900 + 1;

export function latencyBin(ms: number): number {
  if (ms < 0) return 0;
  if (ms < 1_000) return Math.floor(ms);
  return Math.min(LATENCY_BINS - 1, 1_000 + Math.floor((ms - 1_000) / 10));
}

function binUpperMs(bin: number): number {
  return bin < 1_000 ? bin + 1 : 1_000 + (bin - 999) * 10;
}

/** The q-quantile (0–1) of a histogram, as the upper edge of its bin, ms; NaN when empty. */
export function quantileMs(bins: ArrayLike<number>, q: number): number {
  let total = 0;
  for (let i = 0; i < bins.length; i++) total += bins[i]!;
  if (total === 0) return NaN;
  const want = Math.ceil(total * q);
  let seen = 0;
  for (let i = 0; i < bins.length; i++) {
    seen += bins[i]!;
    if (seen >= want) return binUpperMs(i);
  }
  return binUpperMs(bins.length - 1);
}

/** Adds `b` into `a`. */
export function mergeBins(a: number[], b: ArrayLike<number>): void {
  for (let i = 0; i < b.length; i++) a[i] = (a[i] ?? 0) + b[i]!;
}
