/**
 * On-call delivery, assembled. The composition root builds one, starts it after the rules
 * engine, kicks it whenever the engine commits a change (so a page leaves within milliseconds,
 * not at the next tick), and stops it before the database closes.
 *
 *   outbox (rules engine) ─▶ dispatcher ─▶ deliveries ─▶ worker ─▶ channel ─▶ person
 *                             ▲ escalation ticker        │  └─ dead ─▶ admins by email
 *                             └──────────────────────────┘
 *   one tick = dispatch pending outbox jobs → page due escalation steps → queue the digest if due
 *              → start sending due deliveries (up to 16 in flight, one per destination; each
 *                finished send claims the next)
 */
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import { HttpError } from '../lib/errors.js';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { UserStore } from '../store/users.js';
import type { ClientStore } from '../store/clients.js';
import type { Alerting } from '../alerting/index.js';
import { createChannelStore } from '../store/channels.js';
import { createOnCallStore } from '../store/oncall.js';
import { createDeliveryStore } from '../store/deliveries.js';
import { createEscalationStore } from '../store/escalations.js';
import { createNotifySettingsStore } from '../store/notify-settings.js';
import { createChannelRegistry, BUILTIN_CHANNELS } from './channels/registry.js';
import type { AnyChannel } from './channels/types.js';
import { createAckLinks } from './ack-links.js';
import { createRecipientResolver } from '../oncall/recipients.js';
import { createDispatcher } from './dispatcher.js';
import { createWorker, DEFAULT_RETRY_POLICY, type RetryPolicy } from './worker.js';
import { createDigest } from './digest.js';
import { createSelfChecks, type SelfCheckOptions } from './self-checks.js';
import { createSelfCheckStore } from '../store/self-checks.js';
import { createChannelService } from './channel-service.js';
import { createOnCallService, FALLBACK_SETTING, GROUP_WINDOW_SETTING } from '../oncall/oncall-service.js';
import { DEFAULT_GROUP_WINDOW_MS } from '../alerting/policy/grouping.js';
import type { EscalationTarget } from '../../shared/notify-types.js';

/** What the notifier is built from. */
export interface NotifierOptions {
  db: Db;
  users: UserStore;
  clients: ClientStore;
  alerting: Alerting;
  logger: Logger;
  /** Who changed what: the on-call and channel services record their own entries. */
  audit: AuditLog;
  now: () => number;
  /** Seals channel configs at rest (server/lib/secret-box.ts). */
  secrets: SecretBox;
  /** Base URL people reach the server at (ack links, dashboard links). */
  baseUrl: () => string;
  /** Site probe: the hostnames of the probed devices a device checks, named in its offline pages. */
  probedDevicesOf?: (deviceId: string) => string[];
  /** Channel types; default the built-in five. */
  channelTypes?: readonly AnyChannel[];
  /** HTTP for webhook-like channels; default the global fetch. */
  fetch?: typeof fetch;
  /** Source of jitter; default Math.random. */
  random?: () => number;
  /** How often the ticker runs, ms (default 1 s). Engine changes kick it at once. */
  tickIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Lifetime of acknowledge links, ms (default 24 h). */
  ackLinkTtlMs?: number;
  /** The server's own health checks (self-checks.ts); false turns them off. */
  selfChecks?: SelfCheckOptions | false;
  /** Connected agents and the last ingest commit, for the ingest self-check. */
  ingestFacts?: () => { connectedAgents: number; shortestIntervalMs: number | null; lastCommitMs: number | null };
}

/** Builds the notifier; call start() once, stop() before closing the database. */
export function createNotifier(opts: NotifierOptions) {
  const { db, logger, now } = opts;
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  const registry = createChannelRegistry(opts.channelTypes ?? BUILTIN_CHANNELS);
  const channels = createChannelStore(db, opts.secrets);
  const oncall = createOnCallStore(db);
  const deliveries = createDeliveryStore(db);
  const escalations = createEscalationStore(db);
  const settings = createNotifySettingsStore(db, opts.secrets);
  const ackLinks = createAckLinks({ db, settings, now, baseUrl: opts.baseUrl, ttlMs: opts.ackLinkTtlMs });
  const resolver = createRecipientResolver({ users: opts.users, channels, oncall, registry });
  const dispatcher = createDispatcher({
    db,
    outbox: opts.alerting.outbox,
    alerts: opts.alerting.alerts,
    users: opts.users,
    deliveries,
    escalations,
    oncall,
    channels,
    resolver,
    ackLinks,
    logger,
    baseUrl: opts.baseUrl,
    fallbackTarget: () => settings.get<EscalationTarget>(FALLBACK_SETTING) ?? { type: 'role', role: 'admin' },
    groups: opts.alerting.alertGroups,
    groupWindowMs: () => settings.get<number>(GROUP_WINDOW_SETTING) ?? DEFAULT_GROUP_WINDOW_MS,
    probedDevicesOf: opts.probedDevicesOf,
  });
  const worker = createWorker({
    deliveries,
    channels,
    registry,
    fetch: fetchImpl,
    now,
    random: opts.random ?? Math.random,
    logger,
    retry,
    onDead: (d, error, nowMs) => {
      if (dispatcher.raiseDeadLetter(d, error, nowMs) > 0) kick();
    },
  });
  const digest = createDigest({
    db,
    settings,
    incidents: opts.alerting.incidents,
    clients: opts.clients,
    channels,
    deliveries,
    audit: opts.audit,
    logger,
    baseUrl: opts.baseUrl,
  });

  const selfChecks =
    opts.selfChecks === false
      ? undefined
      : createSelfChecks({
          db,
          store: createSelfCheckStore(db),
          outbox: opts.alerting.outbox,
          deliveries,
          users: opts.users,
          resolver,
          logger,
          now,
          baseUrl: opts.baseUrl,
          ingest: opts.ingestFacts ?? (() => ({ connectedAgents: 0, shortestIntervalMs: null, lastCommitMs: null })),
          kick: () => kick(),
          options: opts.selfChecks,
        });

  let ticker: NodeJS.Timeout | undefined;
  let isStopped = false;
  let isKickScheduled = false;

  /** The synchronous stages, then sending. Resolves when nothing is due or in flight. */
  function tick(): Promise<void> {
    if (isStopped) return Promise.resolve();
    const nowMs = now();
    try {
      // A backlog (after downtime) goes out in batches of 200 jobs within one tick.
      for (let round = 0; round < 20; round++) if (dispatcher.dispatchPending(nowMs, 200) < 200) break;
      dispatcher.escalateDue(nowMs);
      digest.maybeQueue(nowMs);
    } catch (err) {
      logger.error({ err }, 'notification tick failed');
    }
    return worker.drain();
  }

  /** A tick soon (coalesced), outside the caller's stack: engine listeners run inside ingest. */
  function kick(): void {
    if (isKickScheduled || isStopped) return;
    isKickScheduled = true;
    setImmediate(() => {
      isKickScheduled = false;
      tick().catch((err: unknown) => logger.error({ err }, 'notification tick failed'));
    });
  }

  return {
    registry,
    channels,
    oncall,
    deliveries,
    escalations,
    ackLinks,
    digest,
    /** The server's own health checks, when on. */
    selfChecks,
    channelService: createChannelService({
      channels,
      registry,
      users: opts.users,
      oncall,
      deliveries,
      settings,
      audit: opts.audit,
      fetch: fetchImpl,
      now,
      timeoutMs: retry.timeoutMs,
      baseUrl: opts.baseUrl,
      resolveUsers: (ids) => resolver.resolveUsers(ids),
    }),
    onCallService: createOnCallService({
      oncall,
      users: opts.users,
      clients: opts.clients,
      channels,
      registry,
      settings,
      audit: opts.audit,
      now,
      isReachable: (id) => resolver.resolveUsers([id]).destinations.length > 0,
    }),
    /** Recovers deliveries interrupted by a crash and starts the ticker. */
    start(): void {
      if (ticker || isStopped) return;
      const recovered = deliveries.recoverInterrupted(now());
      if (recovered > 0) logger.warn({ recovered }, 'deliveries interrupted by the last stop are queued again (at-least-once)');
      ticker = setInterval(() => {
        // Dispatch and escalate on time; sends already in flight finish on their own.
        tick().catch((err: unknown) => logger.error({ err }, 'notification tick failed'));
      }, opts.tickIntervalMs ?? 1_000);
      ticker.unref();
      selfChecks?.start();
      kick();
    },
    /** Stops the ticker and waits for sends in flight. */
    async stop(): Promise<void> {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      isStopped = true;
      selfChecks?.stop();
      await worker.stop();
    },
    /** Asks for a tick as soon as possible (after an engine change or an acknowledgement). */
    kick,
    /** Runs one tick (dispatch, escalate, digest, send) and resolves when it is done. Tests drive time with it. */
    tick,
    /** Re-queues a dead delivery, with its audit entry; 404 / 409 DELIVERY_NOT_DEAD otherwise. */
    retryDead(id: number, actor: AuditActor): void {
      const d = deliveries.findById(id);
      if (!d) throw new HttpError(404, 'DELIVERY_NOT_FOUND', `no delivery with id ${id}`);
      opts.audit.audited(actor, (record) => {
        if (!deliveries.revive(id, now())) throw new HttpError(409, 'DELIVERY_NOT_DEAD', `delivery ${id} is ${d.status}; only dead deliveries can be retried`);
        record({
          action: 'delivery.retry',
          entityType: 'delivery',
          entityId: String(id),
          summary: `queued dead delivery ${id} (${d.channelName} → ${d.recipient}) again`,
        });
      });
      kick();
    },
    stats: () => ({ ...worker.stats(), ...deliveries.counts() }),
  };
}
export type Notifier = ReturnType<typeof createNotifier>;
