/**
 * Monthly delivery of client reports: on the first working day of each month (Monday–Friday, in
 * the client's time zone), from 08:00 local time, last month's report is rendered to PDF,
 * archived, and e-mailed to the client's report contacts as an attachment through the durable
 * delivery queue (retried with backoff, never lost across a restart, one per idempotency key).
 *
 *   no report contacts     → archived as 'no-contacts' (the dashboard lists it), nothing sent
 *   no e-mail channel      → archived as 'failed' with the reason, tried again next tick
 *   PDF render fails       → archived as 'failed' with the reason, tried again next tick (at most
 *                            MAX_RENDER_FAILURES per client and month); a broken PDF is never sent
 *
 * The archive row and the deliveries of one send are written in one transaction: a crash leaves
 * both or neither. A scheduled send is keyed by (client, month, address), so a second run for the
 * same month — another process, a retried tick — cannot queue the report twice; a re-send by hand
 * (the dashboard's "send again", audited by report-service.ts) is keyed by its own archive row.
 */
import type { Logger } from 'pino';
import { createTranslator } from '../../shared/i18n/index.js';
import { generateId } from '../lib/secrets.js';
import type { ChannelStore } from '../store/channels.js';
import type { Db } from '../store/database.js';
import type { ClientStore } from '../store/clients.js';
import type { ClientReportStore } from '../store/client-reports.js';
import type { DeliveryStore } from '../store/deliveries.js';
import { zonedParts } from '../time/zones.js';
import type { ClientReports } from './report-data.js';
import type { ReportBranding } from './report-html.js';

/** Local time from which the monthly report goes out, minutes after midnight. */
export const SEND_FROM_MINUTE = 8 * 60;
const MAX_RENDER_FAILURES = 3;

/** Day of the month (1–7) of the first Monday–Friday of a month. */
export function firstWorkingDay(year: number, month: number): number {
  for (let day = 1; ; day++) {
    const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
    if (weekday >= 1 && weekday <= 5) return day;
  }
}

/** The month (YYYY-MM) whose report is due at `nowMs` in `timezone`, or null when none is. */
export function dueReportMonth(nowMs: number, timezone: string): string | null {
  const p = zonedParts(nowMs, timezone);
  const firstDay = firstWorkingDay(p.year, p.month);
  if (p.day < firstDay || (p.day === firstDay && p.minuteOfDay < SEND_FROM_MINUTE)) return null;
  const y = p.month === 1 ? p.year - 1 : p.year;
  const m = p.month === 1 ? 12 : p.month - 1;
  return `${y}-${String(m).padStart(2, '0')}`;
}

export interface ReportSchedulerDeps {
  /** For the one transaction that writes a send's archive row and its deliveries. */
  db: Db;
  clients: ClientStore;
  clientReports: ClientReportStore;
  reports: ClientReports;
  channels: ChannelStore;
  deliveries: DeliveryStore;
  branding: () => ReportBranding;
  logger: Logger;
  now: () => number;
}

/** Builds the scheduler; `tick()` is called by the server's timer (and by tests). */
export function createReportScheduler(deps: ReportSchedulerDeps) {
  const failures = new Map<string, number>();
  let running: Promise<void> | null = null;
  let timer: NodeJS.Timeout | undefined;

  /**
   * Renders, archives and queues one client's report for `month`; what happened. `scheduled`
   * (the monthly run) sends at most once per client, month and address; otherwise (by hand) it
   * is a new send each time.
   */
  async function send(
    clientId: string,
    month: string,
    opts: { scheduled?: boolean } = {},
  ): Promise<{ delivery: 'sent' | 'no-contacts' | 'failed'; detail: string | null; archiveId: string }> {
    const client = deps.clients.findById(clientId);
    if (!client) throw new Error(`no client with id ${clientId}`);
    const settings = deps.clientReports.settings(client.id);
    const nowMs = deps.now();
    const archiveId = generateId();
    const archive = (delivery: 'sent' | 'no-contacts' | 'failed', detail: string | null, pdf: Buffer, sha256: string) => {
      deps.clientReports.archive({
        id: archiveId,
        clientId: client.id,
        month,
        language: settings.language,
        createdAtMs: nowMs,
        pdfSha256: sha256,
        pdf,
        delivery,
        detail,
      });
      return { delivery, detail, archiveId };
    };
    let rendered: { pdf: Buffer; sha256: string };
    try {
      rendered = await deps.reports.pdf(client.id, month, settings.language);
    } catch (err) {
      const detail = (err as Error).message;
      deps.logger.error(
        { clientId: client.id, client: client.name, month, err: detail },
        `monthly report of ${client.name} for ${month} could not be rendered; not sent, will retry`,
      );
      return archive('failed', detail, Buffer.alloc(0), '');
    }
    if (settings.reportContacts.length === 0) {
      deps.logger.warn({ clientId: client.id, client: client.name, month }, `${client.name} has no report contacts; the ${month} report is archived, not sent`);
      return archive('no-contacts', 'no report contacts', rendered.pdf, rendered.sha256);
    }
    const channel = deps.channels.list().find((c) => c.type === 'email' && c.isEnabled);
    if (!channel) {
      const detail = 'no enabled e-mail channel to send reports through';
      deps.logger.error({ clientId: client.id, month }, `monthly report of ${client.name}: ${detail}`);
      return archive('failed', detail, rendered.pdf, rendered.sha256);
    }
    const t = createTranslator(settings.language);
    const period = t.month(month);
    const msp = deps.branding().mspName;
    const body = t('report.email.body', { client: client.name, period, msp });
    const queue = (to: string): boolean => {
      const idempotencyKey = opts.scheduled ? `report:${client.id}|${month}|${to}` : `report:${client.id}|${month}|${to}|resend:${archiveId}`;
      return deps.deliveries.insert(
        {
          idempotencyKey,
          outboxId: null,
          alertId: null,
          purpose: 'digest',
          kind: 'report',
          channelId: channel.id,
          channelType: channel.type,
          channelName: channel.name,
          userId: null,
          recipient: `${client.name} <${to}>`,
          toAddress: to,
          mentions: [],
          destinationKey: `${channel.id}|${to}`,
          level: null,
          message: {
            kind: 'report',
            idempotencyKey,
            severity: 'info',
            title: t('report.email.subject', { msp, period, client: client.name }),
            lines: body.split('\n'),
            facts: [],
            details: [],
            ackUrl: null,
            viewUrl: null,
            to,
            mentions: [],
            level: null,
            alert: null,
            atMs: nowMs,
            attachments: [
              {
                filename: `${client.name} ${month}.pdf`.replace(/[\\/:*?"<>|]/g, '-'),
                contentType: 'application/pdf',
                contentBase64: rendered.pdf.toString('base64'),
              },
            ],
          },
        },
        nowMs,
      );
    };
    // Archive row and deliveries together: a crash between them can neither lose the send nor
    // leave mails queued without the archive row that marks the month done.
    const outcome = deps.db.transaction(() => {
      const done = opts.scheduled ? deps.clientReports.doneOfMonth(client.id, month) : undefined;
      if (done) return { delivery: done.delivery, detail: done.detail, archiveId: done.id, queued: 0 };
      const queued = settings.reportContacts.filter(queue).length;
      return { ...archive('sent', `queued for ${settings.reportContacts.join(', ')}`, rendered.pdf, rendered.sha256), queued };
    })();
    deps.logger.info(
      { clientId: client.id, month, contacts: settings.reportContacts.length, queued: outcome.queued },
      outcome.queued > 0 ? `monthly report of ${client.name} for ${month} queued` : `monthly report of ${client.name} for ${month} was queued before`,
    );
    return { delivery: outcome.delivery, detail: outcome.detail, archiveId: outcome.archiveId };
  }

  return {
    send,
    /** Sends every report that is due and not yet done (one run at a time). */
    tick(): Promise<void> {
      if (running) return running;
      const run = (async () => {
        for (const client of deps.clients.list()) {
          const month = dueReportMonth(deps.now(), client.timezone);
          if (!month || deps.clientReports.isMonthDone(client.id, month)) continue;
          const key = `${client.id}|${month}`;
          if ((failures.get(key) ?? 0) >= MAX_RENDER_FAILURES) continue;
          const r = await send(client.id, month, { scheduled: true });
          if (r.delivery === 'failed') failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      })()
        .catch((err: unknown) => deps.logger.error({ err }, 'monthly report run failed'))
        .finally(() => {
          running = null;
        });
      running = run;
      return run;
    },
    /** Checks every `intervalMs` (default a minute). */
    start(intervalMs = 60_000): void {
      timer ??= setInterval(() => void this.tick(), intervalMs);
      timer.unref();
    },
    /** Stops the timer and waits for a run in progress (the database closes after). */
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
export type ReportScheduler = ReturnType<typeof createReportScheduler>;
