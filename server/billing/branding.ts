/** The MSP's name and logo on client reports, read once at start (a bad logo file fails the start with what to fix). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportBranding } from './report-html.js';

const LOGO_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.svg': 'image/svg+xml' };
/** Largest logo embedded in a report, bytes. */
const MAX_LOGO_BYTES = 512 * 1024;

/** Branding from server options; the logo becomes a data: URL so the report page needs no network. */
export function loadBranding(opts: { mspName?: string; logoFile?: string } = {}): () => ReportBranding {
  let logoDataUrl: string | null = null;
  if (opts.logoFile) {
    const type = LOGO_TYPES[path.extname(opts.logoFile).toLowerCase()];
    if (!type) throw new Error(`invalid setting QP_MSP_LOGO: ${opts.logoFile} must be a .png, .jpg or .svg file`);
    const bytes = readFileSync(opts.logoFile);
    if (bytes.length > MAX_LOGO_BYTES)
      throw new Error(`invalid setting QP_MSP_LOGO: ${opts.logoFile} is ${bytes.length} bytes; at most ${MAX_LOGO_BYTES} fit in a report`);
    logoDataUrl = `data:${type};base64,${bytes.toString('base64')}`;
  }
  const branding: ReportBranding = { mspName: opts.mspName?.trim() || 'Quarkpulse', logoDataUrl };
  return () => branding;
}
