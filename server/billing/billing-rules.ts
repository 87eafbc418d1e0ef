/**
 * Billing as MSPs bill, pure: each time entry is rounded up to the client's increment (e.g. every
 * started quarter hour), and an incident with any booked time is billed at least the client's
 * minimum charge. CSV exports of time entries and of the billing report use one writer.
 *
 *   entry 20 min, increment 15 → 30 min        entries 5 + 5 min, increment 15 → 15 + 15 = 30 min
 *   incident 30 min, minimum 60 → 60 min       increment 1, minimum 0 → minutes as booked
 */

/** Rounding settings of one client. */
export interface RoundingRules {
  /** Minutes; 1 means no rounding. */
  incrementMin: number;
  /** Least billed minutes per incident with booked time; 0 means none. */
  minimumMin: number;
}

/** One entry rounded up to the increment. */
export function roundEntryMinutes(minutes: number, incrementMin: number): number {
  if (incrementMin <= 1) return minutes;
  return Math.ceil(minutes / incrementMin) * incrementMin;
}

/** Billed minutes of one incident from its entries' booked minutes. */
export function billedIncidentMinutes(entryMinutes: readonly number[], rules: RoundingRules): number {
  if (entryMinutes.length === 0) return 0;
  const rounded = entryMinutes.reduce((n, m) => n + roundEntryMinutes(m, rules.incrementMin), 0);
  return Math.max(rounded, rules.minimumMin);
}

/** A CSV field: quoted when it holds a separator, quote or line break; formula-looking text is defused. */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  // A cell starting with = + - @ is run as a formula by spreadsheets (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV document (RFC 4180, CRLF line ends) with a header row. */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}
