/**
 * The delivery queue: one row per message to one destination, unique by idempotency key, with
 * every attempt recorded. Claiming is one UPDATE … RETURNING that takes, per destination, only
 * the oldest unfinished message, so a destination receives its messages one at a time and in
 * order, and a receiver that is down holds back only its own queue.
 */
import type { Delivery, DeliveryAttempt, DeliveryStatus } from '../../shared/notify-types.js';
import type { NotificationMessage } from '../../shared/notification-message.js';
import type { Db } from './database.js';

/** What a delivery is for. */
export type DeliveryPurpose = Delivery['purpose'];

/** A delivery to queue. */
export interface NewDelivery {
  idempotencyKey: string;
  outboxId: number | null;
  alertId: string | null;
  purpose: DeliveryPurpose;
  kind: string;
  channelId: string;
  channelType: string;
  channelName: string;
  userId: string | null;
  /** Who, for people: username, address or channel name. */
  recipient: string;
  toAddress: string | null;
  mentions: string[];
  /** channel id + address: messages to one destination go out in order. */
  destinationKey: string;
  level: number | null;
  message: NotificationMessage;
}

/** A claimed delivery, with what the worker needs to send it. */
export interface ClaimedDelivery {
  id: number;
  idempotencyKey: string;
  purpose: DeliveryPurpose;
  alertId: string | null;
  channelId: string | null;
  channelType: string;
  channelName: string;
  recipient: string;
  message: NotificationMessage;
  /** Including this one. */
  attempts: number;
  createdAtMs: number;
  /** Start of the retry budget's age, ms. */
  budgetFromMs: number;
}

/** A destination that was paged for an alert (for follow-ups). */
export interface PagedDestination {
  channelId: string;
  channelType: string;
  channelName: string;
  userId: string | null;
  recipient: string;
  toAddress: string | null;
  mentions: string[];
  destinationKey: string;
}

interface DeliveryRow {
  id: number;
  idempotency_key: string;
  outbox_id: number | null;
  alert_id: string | null;
  purpose: DeliveryPurpose;
  kind: string;
  channel_id: string | null;
  channel_type: string;
  channel_name: string;
  user_id: string | null;
  recipient: string;
  to_address: string | null;
  mentions_json: string;
  destination_key: string;
  level: number | null;
  message_json: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at_ms: number;
  last_error: string | null;
  created_at_ms: number;
  budget_from_ms: number;
  sent_at_ms: number | null;
  dead_at_ms: number | null;
}

interface AttemptRow {
  delivery_id: number;
  at_ms: number;
  duration_ms: number;
  outcome: DeliveryAttempt['outcome'];
  http_status: number | null;
  error: string | null;
}

/** Filters of GET /api/notifications. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  alertId?: string;
  purpose?: DeliveryPurpose;
  limit: number;
}

/** Builds the delivery statements once. */
export function createDeliveryStore(db: Db) {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO deliveries (idempotency_key, outbox_id, alert_id, purpose, kind, channel_id, channel_type, channel_name, user_id, recipient,
       to_address, mentions_json, destination_key, level, message_json, status, attempts, next_attempt_at_ms, created_at_ms, budget_from_ms)
     VALUES (@idempotencyKey, @outboxId, @alertId, @purpose, @kind, @channelId, @channelType, @channelName, @userId, @recipient,
       @toAddress, @mentionsJson, @destinationKey, @level, @messageJson, 'pending', 0, @nowMs, @nowMs, @nowMs)`,
  );
  const claim = db.prepare<{ nowMs: number; limit: number }, DeliveryRow>(
    `WITH heads AS (SELECT min(id) AS id FROM deliveries WHERE status IN ('pending', 'sending') GROUP BY destination_key)
     UPDATE deliveries SET status = 'sending', attempts = attempts + 1
     WHERE id IN (SELECT d.id FROM heads h JOIN deliveries d ON d.id = h.id
                  WHERE d.status = 'pending' AND d.next_attempt_at_ms <= @nowMs ORDER BY d.id LIMIT @limit)
     RETURNING *`,
  );
  const sent = db.prepare<{ id: number; nowMs: number }>(`UPDATE deliveries SET status = 'sent', sent_at_ms = @nowMs, last_error = NULL WHERE id = @id`);
  const retry = db.prepare<{ id: number; nextAtMs: number; error: string }>(
    `UPDATE deliveries SET status = 'pending', next_attempt_at_ms = @nextAtMs, last_error = @error WHERE id = @id`,
  );
  const dead = db.prepare<{ id: number; nowMs: number; error: string }>(
    `UPDATE deliveries SET status = 'dead', dead_at_ms = @nowMs, last_error = @error WHERE id = @id`,
  );
  const insertAttempt = db.prepare(
    'INSERT INTO delivery_attempts (delivery_id, at_ms, duration_ms, outcome, http_status, error) VALUES (@id, @atMs, @durationMs, @outcome, @httpStatus, @error)',
  );
  const firstAttempt = db.prepare<[number]>('UPDATE deliveries SET attempts = 1 WHERE id = ?');
  const interrupted = db.prepare<[], { id: number }>(`SELECT id FROM deliveries WHERE status = 'sending'`);
  const reset = db.prepare<[number]>(`UPDATE deliveries SET status = 'pending' WHERE id = ? AND status = 'sending'`);
  const list = db.prepare<Record<string, unknown>, DeliveryRow>(
    `SELECT * FROM deliveries WHERE (@status IS NULL OR status = @status) AND (@alertId IS NULL OR alert_id = @alertId)
       AND (@purpose IS NULL OR purpose = @purpose) ORDER BY id DESC LIMIT @limit`,
  );
  const byId = db.prepare<[number], DeliveryRow>('SELECT * FROM deliveries WHERE id = ?');
  const byKey = db.prepare<[string], DeliveryRow>('SELECT * FROM deliveries WHERE idempotency_key = ?');
  const attemptsOf = db.prepare<[number], AttemptRow>('SELECT * FROM delivery_attempts WHERE delivery_id = ? ORDER BY id');
  const revive = db.prepare<{ id: number; nowMs: number }>(
    `UPDATE deliveries SET status = 'pending', next_attempt_at_ms = @nowMs, budget_from_ms = @nowMs, dead_at_ms = NULL, attempts = 0 WHERE id = @id AND status = 'dead'`,
  );
  const oldestRetrying = db.prepare<[], { at: number | null }>(
    "SELECT min(budget_from_ms) AS at FROM deliveries WHERE status IN ('pending', 'sending') AND attempts > 0",
  );
  const deadSince = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM deliveries WHERE status = 'dead' AND dead_at_ms >= ? AND purpose <> 'test'");
  const unsentPages = db.prepare<[string], { id: number; message_json: string }>(
    "SELECT id, message_json FROM deliveries WHERE alert_id = ? AND purpose = 'page' AND status = 'pending' AND attempts = 0 ORDER BY id",
  );
  const rewrite = db.prepare<[string, number]>("UPDATE deliveries SET message_json = ? WHERE id = ? AND status = 'pending' AND attempts = 0");
  const paged = db.prepare<[string], DeliveryRow>(`SELECT * FROM deliveries WHERE alert_id = ? AND purpose = 'page' AND channel_id IS NOT NULL ORDER BY id`);
  const counts = db.prepare<[], { status: DeliveryStatus; n: number }>('SELECT status, count(*) AS n FROM deliveries GROUP BY status');

  const toAttempt = (r: AttemptRow): DeliveryAttempt => ({
    atMs: r.at_ms,
    durationMs: r.duration_ms,
    outcome: r.outcome,
    httpStatus: r.http_status,
    error: r.error,
  });
  const toDelivery = (r: DeliveryRow): Delivery => ({
    id: r.id,
    idempotencyKey: r.idempotency_key,
    purpose: r.purpose,
    kind: r.kind,
    alertId: r.alert_id,
    channelId: r.channel_id,
    channelType: r.channel_type,
    channelName: r.channel_name,
    userId: r.user_id,
    recipient: r.recipient,
    level: r.level,
    title: (JSON.parse(r.message_json) as NotificationMessage).title,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAtMs: r.status === 'pending' ? r.next_attempt_at_ms : null,
    lastError: r.last_error,
    createdAtMs: r.created_at_ms,
    sentAtMs: r.sent_at_ms,
    deadAtMs: r.dead_at_ms,
    attemptLog: attemptsOf.all(r.id).map(toAttempt),
  });
  const toClaimed = (r: DeliveryRow): ClaimedDelivery => ({
    id: r.id,
    idempotencyKey: r.idempotency_key,
    purpose: r.purpose,
    alertId: r.alert_id,
    channelId: r.channel_id,
    channelType: r.channel_type,
    channelName: r.channel_name,
    recipient: r.recipient,
    message: JSON.parse(r.message_json) as NotificationMessage,
    attempts: r.attempts,
    createdAtMs: r.created_at_ms,
    budgetFromMs: r.budget_from_ms,
  });

  const queuedCount = db.prepare<[], { n: number }>(
    "SELECT (SELECT count(*) FROM deliveries WHERE status IN ('pending', 'sending')) + (SELECT count(*) FROM outbox WHERE status = 'pending') AS n",
  );
  return {
    /** Messages waiting to be sent: undispatched outbox jobs plus pending or sending deliveries. */
    countQueued(): number {
      return queuedCount.get()!.n;
    },
    /** Queues a delivery; false when its idempotency key is already queued (or sent). */
    insert(d: NewDelivery, nowMs: number): boolean {
      const { message, mentions, ...rest } = d;
      return insert.run({ ...rest, mentionsJson: JSON.stringify(mentions), messageJson: JSON.stringify(message), nowMs }).changes === 1;
    },
    /** Records a delivery that was sent directly (channel tests): the row and its one attempt. */
    insertFinished: db.transaction(
      (d: NewDelivery, attempt: { atMs: number; durationMs: number; httpStatus: number | null; error: string | null }, isSent: boolean): number => {
        const { message, mentions, ...rest } = d;
        const id = Number(
          insert.run({ ...rest, mentionsJson: JSON.stringify(mentions), messageJson: JSON.stringify(message), nowMs: attempt.atMs }).lastInsertRowid,
        );
        firstAttempt.run(id);
        insertAttempt.run({ id, ...attempt, outcome: isSent ? 'sent' : 'failed' });
        if (isSent) sent.run({ id, nowMs: attempt.atMs + attempt.durationMs });
        else dead.run({ id, nowMs: attempt.atMs + attempt.durationMs, error: attempt.error ?? 'failed' });
        return id;
      },
    ),
    /** Takes up to `limit` due deliveries (the oldest per destination) and marks them sending. */
    claimDue(nowMs: number, limit: number): ClaimedDelivery[] {
      return claim.all({ nowMs, limit }).map(toClaimed);
    },
    /** Records the attempt and its outcome in one transaction. */
    finish: db.transaction(
      (
        id: number,
        attempt: { atMs: number; durationMs: number; httpStatus: number | null; error: string | null },
        outcome: { type: 'sent'; nowMs: number } | { type: 'retry'; nextAtMs: number } | { type: 'dead'; nowMs: number },
      ) => {
        insertAttempt.run({ id, ...attempt, outcome: outcome.type === 'sent' ? 'sent' : outcome.type === 'retry' ? 'retry' : 'failed' });
        if (outcome.type === 'sent') sent.run({ id, nowMs: outcome.nowMs });
        else if (outcome.type === 'retry') retry.run({ id, nextAtMs: outcome.nextAtMs, error: attempt.error ?? 'failed' });
        else dead.run({ id, nowMs: outcome.nowMs, error: attempt.error ?? 'failed' });
      },
    ),
    /**
     * After a crash: deliveries left 'sending' go back to pending, with an 'interrupted'
     * attempt. The receiver may have got them already — delivery is at least once.
     */
    recoverInterrupted: db.transaction((nowMs: number): number => {
      const rows = interrupted.all();
      for (const { id } of rows) {
        insertAttempt.run({
          id,
          atMs: nowMs,
          durationMs: 0,
          outcome: 'interrupted',
          httpStatus: null,
          error: 'server stopped during the attempt; sending again',
        });
        reset.run(id);
      }
      return rows.length;
    }),
    list(f: DeliveryFilter): Delivery[] {
      return list.all({ status: f.status ?? null, alertId: f.alertId ?? null, purpose: f.purpose ?? null, limit: f.limit }).map(toDelivery);
    },
    /** Start of the retry budget of the oldest delivery still being retried, or null (the self-check's "failing"). */
    oldestRetryingMs(): number | null {
      return oldestRetrying.get()?.at ?? null;
    },
    /** Deliveries given up since `ms` (channel tests not counted). */
    deadSince(ms: number): number {
      return deadSince.get(ms)?.n ?? 0;
    },
    /** Pages of an alert not yet tried: a group that formed in the same batch rewrites them. */
    unsentPages(alertId: string): { id: number; message: NotificationMessage }[] {
      return unsentPages.all(alertId).map((r) => ({ id: r.id, message: JSON.parse(r.message_json) as NotificationMessage }));
    },
    /** Replaces the message of a delivery not yet tried; false once sending started. */
    rewriteUnsent(id: number, message: NotificationMessage): boolean {
      return rewrite.run(JSON.stringify(message), id).changes === 1;
    },
    findById(id: number): Delivery | undefined {
      const r = byId.get(id);
      return r && toDelivery(r);
    },
    findByKey(key: string): Delivery | undefined {
      const r = byKey.get(key);
      return r && toDelivery(r);
    },
    /** A dead delivery goes back to the queue with a fresh attempt budget; false if not dead. */
    revive(id: number, nowMs: number): boolean {
      return revive.run({ id, nowMs }).changes === 1;
    },
    /** Distinct destinations paged for an alert, first page first; mentions of all its pages. */
    pagedDestinations(alertId: string): PagedDestination[] {
      const byKey = new Map<string, PagedDestination>();
      for (const r of paged.all(alertId)) {
        const mentions = JSON.parse(r.mentions_json) as string[];
        const seen = byKey.get(r.destination_key);
        if (seen) {
          for (const m of mentions) if (!seen.mentions.includes(m)) seen.mentions.push(m);
          continue;
        }
        byKey.set(r.destination_key, {
          channelId: r.channel_id!,
          channelType: r.channel_type,
          channelName: r.channel_name,
          userId: r.user_id,
          recipient: r.recipient,
          toAddress: r.to_address,
          mentions,
          destinationKey: r.destination_key,
        });
      }
      return [...byKey.values()];
    },
    /** Number of deliveries per status. */
    counts(): Record<DeliveryStatus, number> {
      const out: Record<DeliveryStatus, number> = { pending: 0, sending: 0, sent: 0, dead: 0 };
      for (const r of counts.all()) out[r.status] = r.n;
      return out;
    },
  };
}
export type DeliveryStore = ReturnType<typeof createDeliveryStore>;
