/**
 * Prints a report page to PDF with the same chromium a technician's preview uses, driven by
 * playwright-core (no browser download: Debian's chromium, path configurable). One browser is
 * started per render and closed after it: reports are rendered a few times a month, and a
 * long-lived browser would hold ~150 MB for nothing. A render that fails is retried once and then
 * reported with the reason; a PDF that does not start with the PDF signature is never returned.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Where chromium is; QP_CHROMIUM_PATH overrides the Debian path. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags chromium needs headless on a server without a network beyond loopback. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A PDF render that failed even after its retry. */
export class PdfRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PdfRenderError';
  }
}

async function renderOnce(html: string, executablePath: string, timeoutMs: number): Promise<Buffer> {
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
  try {
    const page = await browser.newPage();
    // The page is self-contained; refuse any request so a report can never reach outside.
    await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
    await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
    const pdf = await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    return Buffer.from(pdf);
  } finally {
    await browser.close();
  }
}

/** Renders `html` to a PDF; throws PdfRenderError with the reason when it cannot. */
export async function renderPdf(html: string, opts: { chromiumPath?: string; timeoutMs?: number } = {}): Promise<Buffer> {
  const executablePath = opts.chromiumPath ?? process.env.QP_CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath))
    throw new PdfRenderError(`chromium is not installed at ${executablePath} (apt-get install chromium, or set QP_CHROMIUM_PATH)`);
  let lastError = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const pdf = await renderOnce(html, executablePath, opts.timeoutMs ?? 30_000);
      if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('chromium returned something that is not a PDF');
      return pdf;
    } catch (err) {
      lastError = (err as Error).message.split('\n')[0] ?? String(err);
    }
  }
  throw new PdfRenderError(`the PDF could not be rendered (2 attempts): ${lastError}`);
}
