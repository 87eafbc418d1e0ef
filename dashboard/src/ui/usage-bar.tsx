/** A small horizontal bar with its number, coloured by how close the value is to full. */
import { formatPct } from '../lib/format.js';

/** `ok` below 75 %, `warn` below 90 %, else `crit`. */
export function usageLevel(pct: number | null): 'none' | 'ok' | 'warn' | 'crit' {
  if (pct === null || !Number.isFinite(pct)) return 'none';
  if (pct >= 90) return 'crit';
  if (pct >= 75) return 'warn';
  return 'ok';
}

/** For what runs out (toner, paper, battery): `crit` below 10 %, `warn` below 20 %, else `ok`. */
export function remainingLevel(pct: number | null): 'none' | 'ok' | 'warn' | 'crit' {
  if (pct === null || !Number.isFinite(pct)) return 'none';
  if (pct < 10) return 'crit';
  if (pct < 20) return 'warn';
  return 'ok';
}

/** `isRemaining`: the bar shows what is left (toner, paper), so low is bad instead of high. */
export function UsageBar({ label, pct, isRemaining = false }: { label: string; pct: number | null; isRemaining?: boolean }) {
  const width = pct === null ? 0 : Math.min(100, Math.max(0, pct));
  return (
    <span class="usage" data-level={isRemaining ? remainingLevel(pct) : usageLevel(pct)} title={`${label} ${formatPct(pct)}`}>
      <span class="usage-label">{label}</span>
      <span class="usage-track" aria-hidden="true">
        <span class="usage-fill" style={{ width: `${width}%` }} />
      </span>
      <span class="usage-num">{formatPct(pct)}</span>
    </span>
  );
}
