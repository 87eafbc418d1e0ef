/**
 * Renders a ClientReport as one printable HTML page in the client's language — the same page the
 * dashboard previews and chromium prints to PDF (report-pdf.ts). Every value is escaped; the page
 * loads nothing from outside (styles inline, the logo as a data: URL), so printing needs no
 * network and the PDF looks like the preview.
 */
import { createTranslator, type Locale, type MessageKey } from '../../shared/i18n/index.js';
import type { ClientReport } from './client-report.js';
import { problemText } from './problem-text.js';

/** Who sends the report: the MSP's name and, optionally, its logo. */
export interface ReportBranding {
  mspName: string;
  /** A data: URL (image/png, image/svg+xml, image/jpeg), or null. */
  logoDataUrl: string | null;
}

const TASK_KEYS = {
  'health.check': 'report.maintenance.task.health.check',
  'updates.scan': 'report.maintenance.task.updates.scan',
  'updates.install': 'report.maintenance.task.updates.install',
  'service.restart': 'report.maintenance.task.service.restart',
  cleanup: 'report.maintenance.task.cleanup',
  reboot: 'report.maintenance.task.reboot',
} as const satisfies Record<string, MessageKey>;

/** The catalogue key naming a maintenance task for the client. */
function taskKey(task: string): MessageKey {
  return (TASK_KEYS as Record<string, MessageKey>)[task] ?? 'report.maintenance.task.other';
}

/** An approximate duration in words, as a forecast gives it: "3 days", "5 hours", "40 minutes". */
function approxDuration(t: ReturnType<typeof createTranslator>, ms: number): string {
  if (ms < 60_000) return t('duration.underMinute');
  if (ms < 3_600_000) return t('duration.minutes', { n: Math.round(ms / 60_000) });
  if (ms < 2 * 86_400_000) return t('duration.hours', { n: Math.round(ms / 3_600_000) });
  return t('duration.days', { n: Math.round(ms / 86_400_000) });
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Escapes text for HTML content and attribute values. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const CSS = `
@page { size: A4; margin: 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2330; font-size: 10.5pt; line-height: 1.45; margin: 0; }
header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #2457c5; padding-bottom: 8px; margin-bottom: 14px; }
header img { max-height: 44px; max-width: 180px; display: block; margin-left: auto; }
header .msp { text-align: right; }
h1 { font-size: 19pt; margin: 0 0 2px; color: #2457c5; }
h2 { font-size: 13pt; margin: 18px 0 6px; border-bottom: 1px solid #d5dbe6; padding-bottom: 3px; break-after: avoid; }
.muted { color: #5b6475; }
.kpis { display: flex; gap: 10px; margin: 10px 0; }
.kpi { flex: 1; border: 1px solid #d5dbe6; border-radius: 6px; padding: 8px 10px; }
.kpi b { display: block; font-size: 16pt; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 8px; }
th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid #e6e9f0; vertical-align: top; }
th { font-size: 9pt; color: #5b6475; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr { break-inside: avoid; }
.sev-critical { color: #b42318; font-weight: 600; }
.sev-warning { color: #a15c07; }
ul { margin: 4px 0; padding-left: 18px; }
.note { color: #5b6475; font-size: 9pt; }
footer { margin-top: 18px; font-size: 8.5pt; color: #5b6475; }
`;

/** The report as a complete HTML document. */
export function renderReportHtml(report: ClientReport, locale: Locale, branding: ReportBranding): string {
  const t = createTranslator(locale);
  const e = escapeHtml;
  const tz = report.timezone;
  const period = report.month !== null ? t.month(report.month) : `${t.date(report.periodStartMs, tz)} – ${t.date(report.periodEndMs - 1, tz)}`;
  const title = t(report.month !== null ? 'report.title' : 'report.titlePeriod');
  const money = (n: number) => t.money(n, report.currency);
  const parts: string[] = [];
  parts.push(
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${e(title)} · ${e(report.clientName)} · ${e(period)}</title><style>${CSS}</style></head><body>`,
  );
  parts.push('<header><div>');
  parts.push(`<h1>${e(title)}</h1><div><b>${e(t('report.periodFor', { client: report.clientName, period }))}</b></div>`);
  parts.push(`<div class="muted">${e(t(report.contract === 'monthly' ? 'report.contract.monthly' : 'report.contract.breakFix'))}</div>`);
  parts.push('</div>');
  // The MSP by name in the header, under its logo when it has one (alt text alone is not read on paper).
  parts.push(`<div class="msp">${branding.logoDataUrl ? `<img src="${e(branding.logoDataUrl)}" alt="">` : ''}<b>${e(branding.mspName)}</b></div>`);
  parts.push('</header>');

  if (!report.hasData) {
    parts.push(
      `<p>${e(t('report.noData', { client: report.clientName, from: t.date(report.periodStartMs, tz), to: t.date(report.periodEndMs - 1, tz) }))}</p>`,
    );
  } else {
    const a = report.availability;
    const p = report.problems;
    parts.push(`<h2>${e(t('report.summary.heading'))}</h2><div class="kpis">`);
    parts.push(
      `<div class="kpi"><span class="muted">${e(t('report.summary.availability'))}</span><b>${a.overallPct === null ? '–' : e(t.percent(a.overallPct, 2))}</b></div>`,
    );
    parts.push(
      `<div class="kpi"><b>${e(t.number(a.devices.filter((d) => d.observedMs > 0).length))}</b>${e(t('report.summary.devices', { count: a.devices.filter((d) => d.observedMs > 0).length }).replace(/^\S+\s/, ''))}</div>`,
    );
    parts.push(`<div class="kpi"><b>${e(t.number(p.total))}</b>${e(t('report.summary.problems', { count: p.total }).replace(/^\S+\s/, ''))}</div>`);
    if (report.maintenance)
      parts.push(
        `<div class="kpi"><b>${e(t.number(report.maintenance.jobs))}</b>${e(t('report.summary.maintenance', { count: report.maintenance.jobs }).replace(/^\S+\s/, ''))}</div>`,
      );
    parts.push('</div>');

    parts.push(
      `<h2>${e(t('report.availability.heading'))}</h2><table><thead><tr><th>${e(t('report.availability.device'))}</th><th class="num">${e(t('report.availability.pct'))}</th><th class="num">${e(t('report.availability.down'))}</th><th class="num">${e(t('report.availability.outages'))}</th></tr></thead><tbody>`,
    );
    for (const d of a.devices) {
      const pct = d.availabilityPct === null ? e(t('report.availability.notObserved')) : e(t.percent(d.availabilityPct, 2));
      parts.push(
        `<tr><td>${e(d.hostname)}</td><td class="num">${pct}</td><td class="num">${d.downMs > 0 ? e(t.duration(d.downMs)) : '–'}</td><td class="num">${e(t.number(d.outages))}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');

    parts.push(`<h2>${e(t('report.problems.heading'))}</h2>`);
    if (p.total === 0) parts.push(`<p>${e(t('report.problems.none'))}</p>`);
    else {
      parts.push('<table><tbody>');
      if (p.mttaMs !== null) parts.push(`<tr><td>${e(t('report.problems.mtta'))}</td><td class="num">${e(t.duration(p.mttaMs))}</td></tr>`);
      if (p.mttrMs !== null) parts.push(`<tr><td>${e(t('report.problems.mttr'))}</td><td class="num">${e(t.duration(p.mttrMs))}</td></tr>`);
      parts.push(`<tr><td>${e(t('report.problems.booked'))}</td><td class="num">${e(t.duration(p.bookedMinutes * 60_000))}</td></tr>`);
      parts.push(
        `<tr><td>${e(t('report.problems.cost'))}</td><td class="num">${report.contract === 'monthly' ? e(t('report.problems.included')) : e(money(p.billedAmount))}</td></tr>`,
      );
      parts.push('</tbody></table>');
      parts.push(
        `<table><thead><tr><th>${e(t('report.problems.when'))}</th><th>${e(t('report.problems.what'))}</th><th>${e(t('report.problems.device'))}</th><th>${e(t('report.problems.handled'))}</th></tr></thead><tbody>`,
      );
      for (const c of p.list) {
        const handled =
          c.closedAtMs === null ? t('report.problems.open') : t('report.problems.resolvedAfter', { duration: t.duration(c.closedAtMs - c.openedAtMs) });
        parts.push(
          `<tr><td>${e(t.dateTime(c.openedAtMs, tz))}</td><td><span class="sev-${c.severity}">${e(t(`report.problems.severity.${c.severity}`))}</span> ${e(problemText(t, { ruleKind: c.ruleKind, metric: c.metric ?? null, labels: c.labels ?? {}, value: c.value ?? null, summary: c.summary }))}</td><td>${e(c.hostname ?? '–')}</td><td>${e(handled)}${c.bookedMinutes > 0 ? ` · ${e(t.duration(c.bookedMinutes * 60_000))}` : ''}${(c.notes ?? []).map((n) => `<div class="note">${e(n)}</div>`).join('')}</td></tr>`,
        );
      }
      parts.push('</tbody></table>');
    }

    parts.push(`<h2>${e(t('report.maintenance.heading'))}</h2>`);
    const m = report.maintenance;
    if (!m) parts.push(`<p class="muted">${e(t('report.maintenance.notAvailable'))}</p>`);
    else if (m.jobs === 0) parts.push(`<p>${e(t('report.maintenance.none'))}</p>`);
    else {
      parts.push(`<p>${e(t('report.maintenance.summary', { jobs: m.jobs, succeeded: m.succeeded, failed: m.failed }))}</p><ul>`);
      for (const b of m.byTask) parts.push(`<li>${e(t(taskKey(b.task)))}: ${e(t.number(b.count))}</li>`);
      parts.push('</ul>');
      if (m.updatesInstalled > 0) parts.push(`<p>${e(t('report.maintenance.updatesInstalled', { count: m.updatesInstalled }))}</p>`);
    }

    parts.push(`<h2>${e(t('report.coming.heading'))}</h2>`);
    const c = report.coming;
    const items = [
      // Worded in the client's language from the forecast: the disk, and the time it gave the disk.
      ...c.diskForecasts.map((f) =>
        f.timeToFullMs === null
          ? `${t('report.coming.disk')}: ${f.hostname}${f.mount ? ` (${f.mount})` : ''}`
          : t('report.coming.diskFullIn', {
              hostname: f.hostname,
              hasMount: f.mount ? 'yes' : 'no',
              mount: f.mount ?? '',
              duration: approxDuration(t, f.timeToFullMs),
              date: t.date(f.openedAtMs, tz),
            }),
      ),
      ...c.pendingUpdates.map((u) =>
        u.security !== null && u.security > 0
          ? t('report.coming.securityUpdates', { hostname: u.hostname, count: u.security, others: u.count - u.security })
          : t('report.coming.updates', { hostname: u.hostname, count: u.count }),
      ),
      ...c.notSeenForAWeek.map((n) =>
        n.lastSeenMs === null
          ? t('report.coming.neverSeen', { hostname: n.hostname })
          : t('report.coming.notSeen', { hostname: n.hostname, date: t.date(n.lastSeenMs, tz) }),
      ),
      ...c.ageing.map((a) =>
        a.kind === 'old-hardware'
          ? t('report.coming.oldHardware', { hostname: a.hostname, year: String(a.year), years: a.years })
          : t(a.kind === 'os-unsupported' ? 'report.coming.osUnsupported' : 'report.coming.osEnding', {
              hostname: a.hostname,
              os: a.os,
              date: t.date(Date.parse(`${a.endsOn}T12:00:00Z`), tz),
            }),
      ),
    ];
    parts.push(items.length === 0 ? `<p>${e(t('report.coming.nothing'))}</p>` : `<ul>${items.map((i) => `<li>${e(i)}</li>`).join('')}</ul>`);
  }

  const adv = report.advice;
  parts.push(`<h2>${e(t('report.comparison.heading'))}</h2><table><tbody>`);
  parts.push(`<tr><td>${e(t('report.comparison.paid'))}</td><td class="num">${e(money(adv.paid))}</td></tr>`);
  parts.push(
    `<tr><td>${e(t('report.comparison.alternative'))}</td><td class="num">${e(adv.breakFix.range && report.contract === 'monthly' ? `${money(adv.breakFix.range.low)} – ${money(adv.breakFix.range.high)}` : money(adv.alternative))}</td></tr>`,
  );
  parts.push('</tbody></table>');
  const verdictKey = adv.recommendation === 'break-fix' ? 'report.comparison.verdict.breakFix' : (`report.comparison.verdict.${adv.recommendation}` as const);
  parts.push(`<p><b>${e(t(verdictKey))}</b></p><ul>${adv.reasons.map((r) => `<li>${e(r)}</li>`).join('')}</ul>`);
  parts.push(`<footer>${e(t('report.footer'))}<br>${e(t('report.generated', { date: t.dateTime(report.generatedAtMs, tz), msp: branding.mspName }))}</footer>`);
  parts.push('</body></html>');
  return parts.join('');
}
