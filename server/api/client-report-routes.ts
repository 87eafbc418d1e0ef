/**
 * Client reports and billing exports under /api/reports, time on alerts under /api/alerts:
 *   GET  /api/reports/client-report?client=&month=&lang=&format=html|pdf|json   the monthly report
 *   GET  /api/reports/client-report?client=&from=&to=&lang=&format=…           any period [from, to)
 *   GET  /api/reports/client-report/archive?client=                        reports sent before
 *   GET  /api/reports/client-report/archive/:id                            one archived PDF
 *   GET  /api/reports/billing.csv?client=&month=                           billing report as CSV
 *   GET  /api/reports/time-entries.csv?client=&month=                      every time entry as CSV
 *   GET  /api/reports/billing-all?month=                                   all clients for a month
 *   GET  /api/reports/client-settings/:clientId, PUT (technicians)         language, contacts, rounding
 *   GET  /api/alerts/:id/time-entries, POST, DELETE …/:entryId             effort on alerts
 */
import { Router } from 'express';
import { z } from 'zod';
import { LOCALES } from '../../shared/i18n/index.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { parseLocalDate } from '../time/zones.js';
import { timeEntryInputSchema as alertTimeSchema } from './time-entry-input.js';
import { toCsv } from '../billing/billing-rules.js';
import { daysBetween, lastDayOf, MAX_PERIOD_DAYS, type ReportPeriod } from '../billing/report-data.js';
import { actorOfRequest } from './actor.js';
import type { ApiContext } from './context.js';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM');
const clientId = z.string().min(1).max(64);

const localDate = z.string().refine((d) => parseLocalDate(d) !== undefined, 'must be a calendar date YYYY-MM-DD');
/**
 * A report covers a month (`month=YYYY-MM`) or the local days [from, to) in the client's time
 * zone (`from=YYYY-MM-DD&to=YYYY-MM-DD`, `to` not included), at most MAX_PERIOD_DAYS long.
 */
const reportQuerySchema = z
  .object({
    client: clientId,
    month: month.optional(),
    from: localDate.optional(),
    to: localDate.optional(),
    lang: z.enum(LOCALES).optional(),
    format: z.enum(['html', 'pdf', 'json']).default('html'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const fail = (code: string, message: string) => ctx.addIssue({ code: 'custom', message, params: { code } });
    if (q.month !== undefined && (q.from !== undefined || q.to !== undefined))
      return fail('PERIOD_AMBIGUOUS', 'give either month=YYYY-MM or from=YYYY-MM-DD&to=YYYY-MM-DD, not both');
    if (q.month !== undefined) return;
    if (q.from === undefined && q.to === undefined) return fail('PERIOD_REQUIRED', 'give month=YYYY-MM or from=YYYY-MM-DD&to=YYYY-MM-DD');
    if (q.from === undefined || q.to === undefined)
      return fail('INVALID_PERIOD', `${q.from === undefined ? 'from' : 'to'} is missing: from and to go together`);
    if (q.from >= q.to) return fail('INVALID_PERIOD', `from (${q.from}) must be before to (${q.to}); to is the first day not included`);
    const days = daysBetween(q.from, q.to);
    if (days > MAX_PERIOD_DAYS) return fail('PERIOD_TOO_LONG', `a report covers at most ${MAX_PERIOD_DAYS} days; ${q.from} to ${q.to} is ${days} days`);
  });
const clientMonthSchema = z.object({ client: clientId, month }).strict();
const archiveQuerySchema = z.object({ client: clientId }).strict();
const allQuerySchema = z.object({ month }).strict();
const settingsSchema = z
  .object({
    language: z.enum(LOCALES),
    reportContacts: z.array(z.string().trim().email('must be an e-mail address').max(254)).max(20),
    roundingIncrementMin: z.number().int().min(1).max(240),
    minimumChargeMin: z.number().int().min(0).max(480),
    internalCostRate: z.number().min(0).max(100_000),
  })
  .strict();

/** Routes of the client report under /api/reports (any session reads; technicians change settings). */
export function clientReportRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');
  const store = ctx.billing.clientReportStore;
  const service = ctx.billing.reportService;
  const { clientReports } = ctx.billing;
  const mustClient = (id: string) => {
    const c = ctx.clients.findById(id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    return c;
  };

  r.get('/client-report', async (req, res) => {
    const q = parseInput(reportQuerySchema, req.query, 'query');
    const client = mustClient(q.client);
    const lang = q.lang ?? store.settings(client.id).language;
    const period: ReportPeriod = q.month ?? { from: q.from!, to: q.to! };
    if (q.format === 'html') {
      res.type('html').send(clientReports.html(client.id, period, lang));
      return;
    }
    if (q.format === 'json') {
      res.json(clientReports.build(client.id, period, lang));
      return;
    }
    const { pdf } = await clientReports.pdf(client.id, period, lang);
    const name = `${client.name}-${q.month ?? `${q.from}_${q.to}`}.pdf`;
    res.type('application/pdf').setHeader('content-disposition', `inline; filename="${encodeURIComponent(name)}"`);
    res.send(pdf);
  });

  r.post('/client-report/send', act, async (req, res) => {
    const input = parseInput(clientMonthSchema, req.body);
    const client = mustClient(input.client);
    const outcome = await service.send(actorOfRequest(req), client, input.month);
    res
      .status(outcome.delivery === 'failed' ? 502 : 201)
      .json(outcome.delivery === 'failed' ? { error: { code: 'REPORT_NOT_SENT', message: outcome.detail ?? 'the report could not be sent' } } : outcome);
  });

  r.get('/client-report/archive', (req, res) => {
    const q = parseInput(archiveQuerySchema, req.query, 'query');
    res.json(store.listArchive(mustClient(q.client).id));
  });

  r.get('/client-report/archive/:id', (req, res) => {
    const found = store.archivedPdf(String(req.params.id));
    if (!found) throw new HttpError(404, 'REPORT_NOT_FOUND', `no archived report with id ${req.params.id}`);
    res.type('application/pdf').send(found.pdf);
  });

  r.get('/billing.csv', (req, res) => {
    const q = parseInput(clientMonthSchema, req.query, 'query');
    const b = ctx.billing.reports.billing(q.client, q.month);
    const rows = b.incidents.map((i) => [
      i.incidentId,
      i.title,
      i.state,
      new Date(i.openedAtMs).toISOString(),
      i.minutes,
      i.billedMinutes,
      i.hours,
      i.amount,
      b.currency,
      i.notes.join(' | '),
    ]);
    rows.push(['total', '', '', '', b.totalMinutes, b.totalBilledMinutes, b.totalHours, b.totalAmount, b.currency, '']);
    res.type('text/csv').setHeader('content-disposition', `attachment; filename="billing-${q.month}.csv"`);
    res.send(toCsv(['incident_id', 'title', 'state', 'opened_at', 'booked_minutes', 'billed_minutes', 'billed_hours', 'amount', 'currency', 'notes'], rows));
  });

  r.get('/time-entries.csv', (req, res) => {
    const q = parseInput(clientMonthSchema, req.query, 'query');
    const client = mustClient(q.client);
    const from = `${q.month}-01`;
    const to = lastDayOf(q.month);
    const rows: (string | number | null)[][] = store
      .incidentEntries(client.id, from, to)
      .map((e) => [e.date, 'incident', e.incidentId, e.technician, e.minutes, e.note]);
    for (const alertId of store.alertMinutes(client.id, from, to).keys()) {
      for (const e of store.alertTime(alertId)) if (e.date >= from && e.date <= to) rows.push([e.date, 'alert', alertId, e.technician, e.minutes, e.note]);
    }
    rows.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    res.type('text/csv').setHeader('content-disposition', `attachment; filename="time-entries-${q.month}.csv"`);
    res.send(toCsv(['date', 'on', 'id', 'technician', 'minutes', 'note'], rows));
  });

  r.get('/billing-all', (req, res) => {
    const q = parseInput(allQuerySchema, req.query, 'query');
    const from = `${q.month}-01`;
    const to = lastDayOf(q.month);
    const clients = ctx.clients.list().map((c) => {
      const b = ctx.billing.reports.billing(c.id, q.month);
      const settings = store.settings(c.id);
      const alertMinutes = [...store.alertMinutes(c.id, from, to).values()].reduce((n, m) => n + m, 0);
      const effortMinutes = b.totalMinutes + alertMinutes;
      const effortCost = Math.round((effortMinutes / 60) * settings.internalCostRate * 100) / 100;
      const revenue = c.contract === 'monthly' ? c.monthlyFee : b.totalAmount;
      return {
        clientId: c.id,
        clientName: c.name,
        contract: c.contract,
        currency: c.currency,
        revenue,
        effortMinutes,
        effortCost,
        // Profit is only meaningful once an internal cost rate is set.
        profit: settings.internalCostRate > 0 ? Math.round((revenue - effortCost) * 100) / 100 : null,
        billedMinutes: b.totalBilledMinutes,
      };
    });
    res.json({ month: q.month, clients });
  });

  r.get('/client-settings/:clientId', (req, res) => {
    res.json(store.settings(mustClient(String(req.params.clientId)).id));
  });

  r.put('/client-settings/:clientId', act, (req, res) => {
    const client = mustClient(String(req.params.clientId));
    const input = parseInput(settingsSchema, req.body);
    service.saveSettings(actorOfRequest(req), client, input);
    res.json(store.settings(client.id));
  });
  return r;
}

/** Time booked on alerts (effort on monthly clients, not billed). */
export function alertTimeRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');
  const store = ctx.billing.clientReportStore;
  const service = ctx.billing.reportService;
  const mustAlert = (id: string) => {
    const a = ctx.alerting.alerts.findById(id);
    if (!a) throw new HttpError(404, 'ALERT_NOT_FOUND', `no alert with id ${id}`);
    return a;
  };

  r.get('/:id/time-entries', (req, res) => {
    res.json(store.alertTime(mustAlert(String(req.params.id)).id));
  });

  r.post('/:id/time-entries', act, (req, res) => {
    const alert = mustAlert(String(req.params.id));
    const input = parseInput(alertTimeSchema, req.body);
    const timezone = ctx.clients.findById(alert.clientId)?.timezone ?? 'UTC';
    const entry = service.addAlertTime(actorOfRequest(req), alert, timezone, input);
    res.status(201).json(entry);
  });

  r.delete('/:id/time-entries/:entryId', act, (req, res) => {
    const alert = mustAlert(String(req.params.id));
    service.removeAlertTime(actorOfRequest(req), alert, String(req.params.entryId));
    res.status(204).end();
  });
  return r;
}
