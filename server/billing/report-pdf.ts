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

/**
 * Why a render failed, in words a technician can act on: playwright's messages name its own calls
 * ("browserType.launch: Target page, context or browser has been closed").
 */
export function plainRenderError(message: string, executablePath: string, timeoutMs: number): string {
  const first = (message.split('\n')[0] ?? message).trim();
  const text = first.replace(/^[a-zA-Z]+\.[a-zA-Z]+: /, '');
  if (/^browserType\.launch: /.test(first))
    return /Timeout \d+ms exceeded/.test(text)
      ? `chromium at ${executablePath} did not start within ${Math.round(timeoutMs / 1000)} s`
      : `chromium at ${executablePath} did not start or closed at once (is it a working chromium? set QP_CHROMIUM_PATH): ${text}`;
  if (/Timeout \d+ms exceeded/.test(text)) return `chromium took longer than ${Math.round(timeoutMs / 1000)} s to print the page`;
  return text;
}

/** Renders `html` to a PDF; throws PdfRenderError with the reason when it cannot. */
export async function renderPdf(html: string, opts: { chromiumPath?: string; timeoutMs?: number } = {}): Promise<Buffer> {
  const executablePath = opts.chromiumPath ?? process.env.QP_CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;
  if (!existsSync(executablePath))
    throw new PdfRenderError(`chromium is not installed at ${executablePath} (apt-get install chromium, or set QP_CHROMIUM_PATH)`);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let lastError = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const pdf = await renderOnce(html, executablePath, timeoutMs);
      if (pdf.subarray(0, 5).toString('latin1') !== '%PDF-') throw new Error('chromium returned something that is not a PDF');
      return pdf;
    } catch (err) {
      lastError = plainRenderError(err instanceof Error ? err.message : String(err), executablePath, timeoutMs);
    }
  }
  throw new PdfRenderError(`the PDF could not be rendered (2 attempts): ${lastError}`);
}
