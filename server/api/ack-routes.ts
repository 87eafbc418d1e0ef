/**
 * /ack/:token — acknowledge an alert from the link in a page, without logging in: the signed,
 * expiring, single-use token is the credential.
 *
 *   GET  shows the alert and a button; it changes nothing, because mail scanners and chat
 *        previews fetch every link they see.
 *   POST acknowledges (the button's form, or ntfy's one-tap http action). It lives outside /api
 *        and its JSON-only CSRF guard on purpose: a cross-site form cannot forge it without the
 *        token, and the token works once.
 */
import { Router, type Response } from 'express';
import type { Alert } from '../../shared/alert-types.js';
import { HttpError } from '../lib/errors.js';
import type { AckClaims, AckRefusal } from '../notify/ack-links.js';
import type { ApiContext } from './context.js';

const REFUSALS: Record<AckRefusal, { status: number; text: string }> = {
  malformed: { status: 400, text: 'This acknowledge link is not valid. Copy the whole link from the message, or acknowledge in the dashboard.' },
  'bad-signature': { status: 400, text: 'This acknowledge link is not valid. Copy the whole link from the message, or acknowledge in the dashboard.' },
  expired: { status: 410, text: 'This acknowledge link has expired. Acknowledge the alert in the dashboard.' },
  used: { status: 410, text: 'This acknowledge link was used already.' },
};

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .set({ 'cache-control': 'no-store', 'x-robots-tag': 'noindex' })
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
        `<meta name="robots" content="noindex"><title>${escapeHtml(title)} · Quarkpulse</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1d2939}` +
        `button{font:inherit;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#b42318;color:#fff;cursor:pointer}` +
        `.muted{color:#667085}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
    );
}

function describe(a: Alert): string {
  return `<p><strong>[${escapeHtml(a.severity.toUpperCase())}] ${escapeHtml(a.ruleName)} on ${escapeHtml(a.hostname)} (${escapeHtml(a.clientName)})</strong></p><p>${escapeHtml(a.summary)}</p>`;
}

function stateLine(a: Alert): string {
  if (a.state === 'acknowledged') return `<p>Already acknowledged by ${escapeHtml(a.acknowledgedBy ?? 'someone')}; nothing more to do.</p>`;
  return `<p>This alert is resolved${a.resolvedBy ? ` (${escapeHtml(a.resolvedBy === 'system' ? 'the condition cleared' : `by ${a.resolvedBy}`)})` : ''}; nothing more to do.</p>`;
}

/** Routes under /ack. */
export function ackRoutes(ctx: ApiContext): Router {
  const r = Router();
  const { ackLinks } = ctx.notify;
  const { alerts, alertActions } = ctx.alerting;

  function actorFor(claims: AckClaims): { id: string; username: string } {
    if (claims.recipient.startsWith('channel:')) {
      const channelId = claims.recipient.slice('channel:'.length);
      return { id: claims.recipient, username: `link in ${ctx.notify.channels.findById(channelId)?.name ?? 'a channel'}` };
    }
    const u = ctx.users.findById(claims.recipient);
    return u ? { id: u.id, username: u.username } : { id: claims.recipient, username: 'ack link' };
  }

  const acknowledge = ctx.db.transaction((token: string, claims: AckClaims) => {
    if (!ackLinks.consume(token, claims)) throw new HttpError(410, 'ACK_LINK_USED', 'used');
    const actor = actorFor(claims);
    const a = alertActions.acknowledge(claims.alertId, actor, 'acknowledged with the link in a notification', 'ack-link');
    return a;
  });

  r.get('/:token', (req, res) => {
    const check = ackLinks.check(req.params.token);
    if (!check.ok) return page(res, REFUSALS[check.reason].status, 'Cannot acknowledge', `<p>${REFUSALS[check.reason].text}</p>`);
    const alert = alerts.findById(check.claims.alertId);
    if (!alert) return page(res, 404, 'Alert not found', '<p>The alert this link is for no longer exists.</p>');
    if (alert.state !== 'firing') return page(res, 200, 'Nothing to acknowledge', describe(alert) + stateLine(alert));
    page(
      res,
      200,
      'Acknowledge alert?',
      `${describe(alert)}<form method="post"><button type="submit">Acknowledge</button></form>` +
        `<p class="muted">Acknowledging stops escalation and tells everyone who was paged. The link works once.</p>`,
    );
  });

  r.post('/:token', (req, res) => {
    const token = req.params.token;
    const check = ackLinks.check(token);
    if (!check.ok) return page(res, REFUSALS[check.reason].status, 'Cannot acknowledge', `<p>${REFUSALS[check.reason].text}</p>`);
    let acked: Alert;
    try {
      acked = acknowledge(token, check.claims);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.code === 'ACK_LINK_USED') return page(res, 410, 'Cannot acknowledge', `<p>${REFUSALS.used.text}</p>`);
      if (err.code === 'ALERT_NOT_FOUND') return page(res, 404, 'Alert not found', '<p>The alert this link is for no longer exists.</p>');
      const alert = alerts.findById(check.claims.alertId);
      return page(res, 409, 'Nothing to acknowledge', alert ? describe(alert) + stateLine(alert) : '');
    }
    ctx.logger.info({ alertId: acked.id, by: acked.acknowledgedBy }, 'alert acknowledged with a link');
    ctx.notify.kick();
    page(res, 200, 'Acknowledged', `${describe(acked)}<p>Acknowledged as ${escapeHtml(acked.acknowledgedBy ?? '')}. Escalation has stopped.</p>`);
  });
  return r;
}
