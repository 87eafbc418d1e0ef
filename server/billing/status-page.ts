/**
 * The client's read-only status page (a status link, no login): its devices' health now and this
 * month's availability, in the client's report language. Pure: figures in, HTML out. Host names
 * are replaced by "Device 1", "Printer 2" … when the client chose so. Nothing is loaded from
 * elsewhere (inline styles, no scripts), and the page refreshes itself every 60 s.
 */
import { createTranslator, type Locale, type MessageKey } from '../../shared/i18n/index.js';

/** One device as the page shows it. */
export interface StatusDevice {
  hostname: string;
  kind: string;
  state: 'ok' | 'problem' | 'offline' | 'unknown';
  /** This month so far, %; null when not observed yet. */
  availabilityPct: number | null;
}

export interface StatusPageInput {
  mspName: string;
  clientName: string;
  timezone: string;
  generatedAtMs: number;
  month: string;
  overallPct: number | null;
  showHostnames: boolean;
  devices: readonly StatusDevice[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const e = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STATE_KEY: Record<StatusDevice['state'], MessageKey> = {
  ok: 'status.state.ok',
  problem: 'status.state.problem',
  offline: 'status.state.offline',
  unknown: 'status.state.unknown',
};
const KIND_KEY: Record<string, MessageKey> = {
  agent: 'status.kind.computer',
  printer: 'status.kind.printer',
  ups: 'status.kind.ups',
  switch: 'status.kind.switch',
  firewall: 'status.kind.firewall',
  nas: 'status.kind.nas',
  website: 'status.kind.website',
};

const CSS = `
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; background: #f5f6f8; }
main { max-width: 760px; margin: 0 auto; padding: 24px 16px 40px; }
h1 { margin: 0 0 4px; font-size: 22px; }
.muted { color: #6b7280; font-size: 13px; }
.summary { margin: 18px 0; padding: 16px; border-radius: 10px; background: #fff; border: 1px solid #e5e7eb; display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: baseline; }
.summary b { font-size: 20px; }
.all-ok { color: #15803d; } .not-ok { color: #b91c1c; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; overflow: hidden; }
th, td { padding: 9px 12px; text-align: left; border-top: 1px solid #eef0f3; }
th { border-top: 0; font-size: 12px; text-transform: uppercase; letter-spacing: .03em; color: #6b7280; background: #fafafa; }
td.num, th.num { text-align: right; white-space: nowrap; }
.state { font-weight: 600; white-space: nowrap; }
.state-ok { color: #15803d; } .state-problem, .state-offline { color: #b91c1c; } .state-unknown { color: #b45309; }
footer { margin-top: 18px; }
`;

/** Renders the page. */
export function renderStatusPage(input: StatusPageInput, locale: Locale): string {
  const t = createTranslator(locale);
  const counts = new Map<string, number>();
  const rows = input.devices.map((d) => {
    const n = (counts.get(d.kind) ?? 0) + 1;
    counts.set(d.kind, n);
    const name = input.showHostnames ? d.hostname : t(KIND_KEY[d.kind] ?? 'status.kind.computer', { n });
    const pct = d.availabilityPct === null ? '–' : t.percent(d.availabilityPct, 2);
    return `<tr><td>${e(name)}</td><td><span class="state state-${d.state}">${e(t(STATE_KEY[d.state]))}</span></td><td class="num">${e(pct)}</td></tr>`;
  });
  const problems = input.devices.filter((d) => d.state === 'problem' || d.state === 'offline').length;
  const headline =
    problems === 0 ? `<b class="all-ok">${e(t('status.allOk'))}</b>` : `<b class="not-ok">${e(t('status.someProblems', { count: problems }))}</b>`;
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta http-equiv="refresh" content="60">
<title>${e(t('status.title', { client: input.clientName }))}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${e(t('status.title', { client: input.clientName }))}</h1>
<p class="muted">${e(t('status.updated', { time: t.dateTime(input.generatedAtMs, input.timezone) }))}</p>
<div class="summary" data-testid="status-summary">${headline}<span>${e(t('status.availability', { month: t.month(input.month) }))}: <b>${input.overallPct === null ? '–' : e(t.percent(input.overallPct, 2))}</b></span></div>
<table>
<thead><tr><th>${e(t('status.device'))}</th><th>${e(t('status.now'))}</th><th class="num">${e(t('status.thisMonth'))}</th></tr></thead>
<tbody>${rows.join('')}</tbody>
</table>
<footer class="muted">${e(t('status.footer', { msp: input.mspName }))}</footer>
</main>
</body>
</html>`;
}
