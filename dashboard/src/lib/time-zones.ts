/**
 * The IANA time zones the browser knows, for every time zone picker (client, on-call schedule,
 * first-start setup): UTC first, because `Intl.supportedValuesOf` lists only geographic zones.
 * Computed once; a browser without supportedValuesOf gets a short list of the usual zones.
 */
let zones: readonly string[] | undefined;

export function timeZones(): readonly string[] {
  if (zones) return zones;
  try {
    const list = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
    zones = ['UTC', ...list.filter((z) => z !== 'UTC')];
  } catch {
    zones = ['UTC', 'Europe/Amsterdam', 'Europe/Brussels', 'Europe/London'];
  }
  return zones;
}
