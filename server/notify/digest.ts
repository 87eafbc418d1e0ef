/**
 * Optional daily digest (off by default): once a day, at a local time, one email to the service
 * desk listing the break-fix incidents opened since the previous digest. A summary, not a page:
 * no ack link, no escalation. A day without new incidents sends nothing.
 */
import type { Logger } from 'pino';
import type { DigestSettings } from '../../shared/notify-types.js';
import type { Db } from '../store/database.js';
import type { ChannelStore } from '../store/channels.js';
import type { ClientStore } from '../store/clients.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { IncidentStore } from '../store/incidents.js';
import type { NotifySettingsStore } from '../store/notify-settings.js';
import { isValidTimezone, localDate, parseLocalTime, zonedParts } from '../time/zones.js';
import { HttpError } from '../lib/errors.js';
import { changedFields, type AuditActor, type AuditLog } from '../audit/audit-log.js';
import { buildDigestMessage } from './message.js';

export const DEFAULT_DIGEST: DigestSettings = { isEnabled: false, channelId: null, to: null, localTime: '08:00', timezone: 'UTC' };

/** Where the digest stands. */
interface DigestState {
  /** Local date of the last digest run, YYYY-MM-DD. */
  lastDate: string | null;
  /** End of the period it covered, ms. */
  lastToMs: number | null;
}

/** Builds the digest over the stores. */
export function createDigest(deps: {
  db: Db;
  settings: NotifySettingsStore;
  incidents: IncidentStore;
  clients: ClientStore;
  channels: ChannelStore;
  deliveries: DeliveryStore;
  audit: AuditLog;
  logger: Logger;
  baseUrl: () => string;
}) {
  const { settings } = deps;
  const get = (): DigestSettings => ({ ...DEFAULT_DIGEST, ...settings.get<DigestSettings>('digest') });

  const run = deps.db.transaction((nowMs: number): boolean => {
    const s = get();
    if (!s.isEnabled || !s.channelId || !s.to) return false;
    const p = zonedParts(nowMs, s.timezone);
    if (p.minuteOfDay < parseLocalTime(s.localTime)) return false;
    const today = localDate(nowMs, s.timezone);
    const state = settings.get<DigestState>('digest_state') ?? { lastDate: null, lastToMs: null };
    if (state.lastDate === today) return false;
    settings.set('digest_state', { lastDate: today, lastToMs: nowMs } satisfies DigestState);
    const fromMs = state.lastToMs ?? nowMs - 24 * 3_600_000;
    const isBreakFix = new Map<string, boolean>();
    const incidents = deps.incidents.list({ fromMs, toMs: nowMs, limit: 1000 }).filter((i) => {
      if (!isBreakFix.has(i.clientId)) isBreakFix.set(i.clientId, deps.clients.findById(i.clientId)?.contract === 'break-fix');
      return isBreakFix.get(i.clientId);
    });
    if (incidents.length === 0) return false;
    const channel = deps.channels.findById(s.channelId);
    if (!channel || channel.type !== 'email') {
      deps.logger.error({ channelId: s.channelId }, 'digest channel is missing or not an email channel; digest skipped');
      return false;
    }
    const idempotencyKey = `digest:${today}|${channel.id}|${s.to}`;
    const message = buildDigestMessage(
      incidents.reverse(),
      { fromMs, toMs: nowMs, localDate: today },
      {
        idempotencyKey,
        to: s.to,
        mentions: [],
        ackUrl: null,
        viewUrl: deps.baseUrl(),
        atMs: nowMs,
      },
    );
    return deps.deliveries.insert(
      {
        idempotencyKey,
        outboxId: null,
        alertId: null,
        purpose: 'digest',
        kind: 'digest',
        channelId: channel.id,
        channelType: channel.type,
        channelName: channel.name,
        userId: null,
        recipient: `service desk <${s.to}>`,
        toAddress: s.to,
        mentions: [],
        destinationKey: `${channel.id}|${s.to}`,
        level: null,
        message,
      },
      nowMs,
    );
  });

  return {
    settings: get,
    /** Replaces the digest settings (each mistake its own code), with its audit entry. */
    update(next: DigestSettings, actor: AuditActor): DigestSettings {
      if (!isValidTimezone(next.timezone)) throw new HttpError(400, 'DIGEST_TIMEZONE_INVALID', `timezone: "${next.timezone}" is not an IANA time zone`);
      if (next.channelId !== null) {
        const c = deps.channels.findById(next.channelId);
        if (!c || c.type !== 'email') throw new HttpError(400, 'DIGEST_CHANNEL_INVALID', `channelId: ${next.channelId} is not an email channel`);
      }
      if (next.isEnabled && (next.channelId === null || next.to === null))
        throw new HttpError(400, 'DIGEST_INCOMPLETE', 'an enabled digest needs channelId and to');
      const before = get();
      return deps.audit.audited(actor, (record) => {
        settings.set('digest', next);
        const after = get();
        record({
          action: 'digest.update',
          entityType: 'digest',
          entityId: null,
          summary: `changed the break-fix digest (${after.isEnabled ? 'on' : 'off'})`,
          detail: { changes: changedFields(before, after) },
        });
        return after;
      });
    },
    /** Queues today's digest when it is due; true when one was queued. */
    maybeQueue(nowMs: number): boolean {
      return run(nowMs);
    },
  };
}
export type Digest = ReturnType<typeof createDigest>;
