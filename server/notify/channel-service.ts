/**
 * What the REST routes do with channels and people: validate (each mistake its own code),
 * keep secrets (masked on the way out, kept on update when sent back masked), send a test
 * message directly (not queued, so the answer says whether it worked), and manage contact points.
 * Channel changes write their audit entry in the same transaction; a test send, which is awaited,
 * is recorded after it with its outcome.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChannelInput, ChannelTestResult, ChannelTypeInfo, ChannelView, Person, TestPageResult } from '../../shared/notify-types.js';
import { HttpError } from '../lib/errors.js';
import { auditActorOf, changedFields, type AuditActor, type AuditLog, type AuditPerson } from '../audit/audit-log.js';
import type { ChannelRecord, ChannelStore } from '../store/channels.js';
import type { DeliveryStore } from '../store/deliveries.js';
import type { OnCallStore } from '../store/oncall.js';
import type { NotifySettingsStore } from '../store/notify-settings.js';
import type { User, UserStore } from '../store/users.js';
import type { ChannelRegistry } from './channels/registry.js';
import { ChannelError } from './channels/types.js';
import { buildTestMessage, buildTestPageMessage } from './message.js';
import { deliveryTarget, type Resolution } from '../oncall/recipients.js';

/** What the service is built from. */
export interface ChannelServiceDeps {
  channels: ChannelStore;
  registry: ChannelRegistry;
  users: UserStore;
  oncall: OnCallStore;
  deliveries: DeliveryStore;
  settings: NotifySettingsStore;
  audit: AuditLog;
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  baseUrl: () => string;
  /** Where a page to these users would go now (the recipient resolver). */
  resolveUsers: (userIds: readonly string[]) => Resolution;
}

/** Builds the channel and people service. */
export function createChannelService(deps: ChannelServiceDeps) {
  const { channels, registry, users, audit } = deps;
  const who = auditActorOf;

  const view = (c: ChannelRecord): ChannelView => ({ ...c, config: registry.maskConfig(c.type, c.config) });

  function mustFind(id: string): ChannelRecord {
    const c = channels.findById(id);
    if (!c) throw new HttpError(404, 'CHANNEL_NOT_FOUND', `no channel with id ${id}`);
    return c;
  }

  function checkConfig(type: string, config: unknown): Record<string, unknown> {
    const r = registry.checkConfig(type, config);
    if (!r.ok) throw new HttpError(400, r.code, r.message);
    return r.config;
  }

  function mustFindUser(id: string): User {
    const u = users.findById(id);
    if (!u) throw new HttpError(404, 'USER_NOT_FOUND', `no user with id ${id}`);
    return u;
  }

  function person(id: string): Person {
    const u = mustFindUser(id);
    return { id: u.id, username: u.username, role: u.role, email: u.email, contacts: channels.contactsOf(u.id) };
  }

  function isNameTaken(name: string, exceptId?: string): boolean {
    const same = channels.findByName(name);
    return !!same && same.id !== exceptId;
  }

  return {
    list: (): ChannelView[] => channels.list().map(view),
    get: (id: string): ChannelView => view(mustFind(id)),
    /** The channel types with a short description. */
    types: (): ChannelTypeInfo[] => registry.list().map((c) => ({ type: c.type, label: c.label, audience: c.audience, secretFields: [...c.secretFields] })),

    /** Creates a channel. Views are masked, so audit details never hold a secret. */
    create(input: ChannelInput, actor: AuditPerson): ChannelView {
      const config = checkConfig(input.type, input.config);
      if (isNameTaken(input.name)) throw new HttpError(409, 'CHANNEL_EXISTS', `a channel named "${input.name}" already exists`);
      return audit.audited(who(actor), (record) => {
        const c = view(channels.create({ type: input.type, name: input.name, config, isEnabled: input.isEnabled ?? true }, deps.now(), actor.username));
        record({
          action: 'channel.create',
          entityType: 'channel',
          entityId: c.id,
          summary: `created ${c.type} channel "${c.name}"`,
          detail: { type: c.type, config: c.config, isEnabled: c.isEnabled },
        });
        return c;
      });
    },

    update(id: string, patch: Partial<ChannelInput>, actor: AuditPerson): ChannelView {
      const c = mustFind(id);
      if (patch.type !== undefined && patch.type !== c.type)
        throw new HttpError(400, 'CHANNEL_TYPE_IMMUTABLE', `a channel's type cannot change (it is ${c.type}); create a new channel`);
      const name = patch.name ?? c.name;
      if (isNameTaken(name, id)) throw new HttpError(409, 'CHANNEL_EXISTS', `a channel named "${name}" already exists`);
      const config = patch.config === undefined ? c.config : checkConfig(c.type, registry.keepSecrets(c.type, patch.config, c.config));
      const before = view(c);
      return audit.audited(who(actor), (record) => {
        const after = view(channels.update(id, { name, config, isEnabled: patch.isEnabled ?? c.isEnabled }, deps.now(), actor.username)!);
        const changes = changedFields(before, after, ['name', 'isEnabled', 'config']);
        // A secret sent again masked compares equal; one replaced shows only as "changed".
        if (patch.config !== undefined && changes.config === undefined && JSON.stringify(patch.config) !== JSON.stringify(before.config))
          changes.config = { from: before.config, to: after.config };
        if (Object.keys(changes).length > 0)
          record({
            action: 'channel.update',
            entityType: 'channel',
            entityId: id,
            summary: `changed channel "${after.name}": ${Object.keys(changes).join(', ')}`,
            detail: { changes },
          });
        return after;
      });
    },

    remove(id: string, actor: AuditPerson): void {
      const before = mustFind(id);
      const users = deps.oncall.listPolicies().filter((p) => p.levels.some((l) => l.targets.some((t) => t.type === 'channel' && t.channelId === id)));
      if (users.length > 0)
        throw new HttpError(
          409,
          'CHANNEL_IN_USE',
          `escalation polic${users.length === 1 ? 'y' : 'ies'} ${users.map((p) => `"${p.name}"`).join(', ')} page${users.length === 1 ? 's' : ''} this channel; change them first`,
        );
      if (deps.settings.get<{ channelId?: string | null; isEnabled?: boolean }>('digest')?.channelId === id) {
        throw new HttpError(409, 'CHANNEL_IN_USE', 'the break-fix digest is sent through this channel; change the digest settings first');
      }
      audit.audited(who(actor), (record) => {
        channels.delete(id);
        record({ action: 'channel.delete', entityType: 'channel', entityId: id, summary: `deleted ${before.type} channel "${before.name}"` });
      });
    },

    /**
     * Sends a test message now, without the queue, and records it as a 'test' delivery.
     * `to` (email address, ntfy topic) defaults to the caller's email or the channel's topic.
     */
    async test(id: string, actor: User, to?: string): Promise<ChannelTestResult> {
      const c = mustFind(id);
      const impl = registry.get(c.type);
      if (!impl) throw new HttpError(400, 'CHANNEL_TYPE_UNKNOWN', `unknown channel type "${c.type}"`);
      const config = impl.configSchema.safeParse(c.config);
      if (!config.success) throw new HttpError(400, 'CHANNEL_CONFIG_INVALID', `the stored config is invalid: ${config.error.issues[0]?.message}`);
      let address: string | null = null;
      if (impl.audience === 'person') {
        if (to !== undefined) {
          const h = impl.handleSchema.safeParse(to);
          if (!h.success) throw new HttpError(400, 'CONTACT_HANDLE_INVALID', `to: ${h.error.issues[0]?.message}`);
          address = h.data;
        } else if (c.type === 'email') {
          address = actor.email;
          if (!address) throw new HttpError(400, 'TEST_RECIPIENT_MISSING', 'give "to" (an email address) or set your own email address first');
        }
      }
      const atMs = deps.now();
      const idempotencyKey = `test:${c.id}:${atMs}:${randomBytes(4).toString('hex')}`;
      const message = buildTestMessage(c.name, actor.username, { idempotencyKey, to: address, mentions: [], ackUrl: null, viewUrl: deps.baseUrl(), atMs });
      const t0 = performance.now();
      let outcome: { httpStatus: number | null; detail: string | null } | undefined;
      let failure: ChannelError | undefined;
      try {
        outcome = await impl.send(config.data, message, { fetch: deps.fetch, nowMs: atMs, timeoutMs: deps.timeoutMs });
      } catch (err) {
        failure = err instanceof ChannelError ? err : new ChannelError((err as Error).message, true);
      }
      const deliveryId = deps.deliveries.insertFinished(
        {
          idempotencyKey,
          outboxId: null,
          alertId: null,
          purpose: 'test',
          kind: 'test',
          channelId: c.id,
          channelType: c.type,
          channelName: c.name,
          // An API token is no user: the delivery row keeps no user then.
          userId: users.findById(actor.id) ? actor.id : null,
          recipient: address ? `${actor.username} <${address}>` : c.name,
          toAddress: address,
          mentions: [],
          destinationKey: `${c.id}|test`,
          level: null,
          message,
        },
        {
          atMs,
          durationMs: Math.round(performance.now() - t0),
          httpStatus: outcome?.httpStatus ?? failure?.httpStatus ?? null,
          error: failure?.message ?? null,
        },
        !failure,
      );
      audit.record(who(actor), {
        action: 'channel.test',
        entityType: 'channel',
        entityId: id,
        summary: failure ? `test message through "${c.name}" failed` : `sent a test message through "${c.name}"`,
        detail: failure ? { ok: false } : { ok: true, deliveryId },
      });
      if (failure) {
        throw new HttpError(
          502,
          'CHANNEL_TEST_FAILED',
          `${failure.message}${failure.isRetryable ? ' (temporary: retrying later may work)' : ' (will not work until the config or receiver changes)'}`,
        );
      }
      return { ok: true, deliveryId, httpStatus: outcome!.httpStatus, detail: outcome!.detail };
    },

    /**
     * Sends a test message through a channel that is not saved yet (the setup page's e-mail
     * server, before there is any user): the config is checked as `create` would, nothing is
     * stored. 400 CHANNEL_CONFIG_INVALID, or 502 CHANNEL_TEST_FAILED with the receiver's answer.
     */
    async testDraft(type: string, rawConfig: unknown, to: string | null, by: string): Promise<{ ok: true; httpStatus: number | null; detail: string | null }> {
      const config = checkConfig(type, rawConfig);
      const impl = registry.get(type)!;
      const atMs = deps.now();
      const idempotencyKey = `test:draft:${atMs}:${randomBytes(4).toString('hex')}`;
      const message = buildTestMessage(`new ${impl.label} channel`, by, { idempotencyKey, to, mentions: [], ackUrl: null, viewUrl: deps.baseUrl(), atMs });
      try {
        const outcome = await impl.send(config, message, { fetch: deps.fetch, nowMs: atMs, timeoutMs: deps.timeoutMs });
        return { ok: true, httpStatus: outcome.httpStatus, detail: outcome.detail };
      } catch (err) {
        const failure = err instanceof ChannelError ? err : new ChannelError((err as Error).message, true);
        throw new HttpError(502, 'CHANNEL_TEST_FAILED', failure.message);
      }
    },

    /**
     * "Page me now": a real test page, sent at once through every contact point a page to
     * `actor` would use (the same resolution as an alert), each recorded as a 'test' delivery.
     */
    async testPage(actor: User): Promise<TestPageResult> {
      const r = deps.resolveUsers([actor.id]);
      if (r.destinations.length === 0) {
        throw new HttpError(
          400,
          'TEST_PAGE_UNREACHABLE',
          `a page would reach nobody: ${r.problems.join('; ') || `${actor.username} has no contact point`}. Add a contact point (or an e-mail address and an e-mail channel) first`,
        );
      }
      const atMs = deps.now();
      const results: TestPageResult['results'] = [];
      await Promise.all(
        r.destinations.map(async (d) => {
          const impl = registry.get(d.channel.type)!;
          const idempotencyKey = `test-page:${actor.id}:${atMs}:${randomBytes(4).toString('hex')}|${d.destinationKey}`;
          const message = buildTestPageMessage(actor.username, d.channel.name, {
            idempotencyKey,
            to: d.to,
            mentions: d.mentions,
            ackUrl: null,
            viewUrl: deps.baseUrl(),
            atMs,
          });
          const t0 = performance.now();
          let outcome: { httpStatus: number | null; detail: string | null } | undefined;
          let failure: ChannelError | undefined;
          const config = impl.configSchema.safeParse(d.channel.config);
          try {
            if (!config.success) throw new ChannelError(`the stored config is invalid: ${config.error.issues[0]?.message}`, false);
            outcome = await impl.send(config.data, message, { fetch: deps.fetch, nowMs: atMs, timeoutMs: deps.timeoutMs });
          } catch (err) {
            failure = err instanceof ChannelError ? err : new ChannelError((err as Error).message, true);
          }
          const deliveryId = deps.deliveries.insertFinished(
            {
              idempotencyKey,
              outboxId: null,
              alertId: null,
              purpose: 'test',
              kind: 'test',
              ...deliveryTarget(d),
              level: null,
              message,
            },
            {
              atMs,
              durationMs: Math.round(performance.now() - t0),
              httpStatus: outcome?.httpStatus ?? failure?.httpStatus ?? null,
              error: failure?.message ?? null,
            },
            !failure,
          );
          results.push({
            deliveryId,
            channelName: d.channel.name,
            channelType: d.channel.type,
            recipient: d.recipient,
            ok: !failure,
            httpStatus: outcome?.httpStatus ?? failure?.httpStatus ?? null,
            detail: outcome?.detail ?? null,
            error: failure?.message ?? null,
          });
        }),
      );
      results.sort((a, b) => a.channelName.localeCompare(b.channelName) || a.recipient.localeCompare(b.recipient));
      const ok = results.every((x) => x.ok);
      audit.record(who(actor), {
        action: 'oncall.test-page',
        entityType: 'user',
        entityId: actor.id,
        summary: `sent a test page to ${actor.username} (${results.length} contact point${results.length === 1 ? '' : 's'})`,
        detail: { ok },
      });
      return { ok, results, problems: r.problems };
    },

    /** Users with their contact points. */
    people(): Person[] {
      const contacts = channels.allContacts();
      return users.list().map((u) => ({ id: u.id, username: u.username, role: u.role, email: u.email, contacts: contacts.filter((c) => c.userId === u.id) }));
    },
    person,
    setEmail(id: string, email: string | null): Person {
      mustFindUser(id);
      users.setEmail(id, email);
      return person(id);
    },
    addContact(userId: string, input: { channelId: string; handle?: string }, actor: AuditActor) {
      const u = mustFindUser(userId);
      const c = channels.findById(input.channelId);
      if (!c) throw new HttpError(400, 'CONTACT_CHANNEL_NOT_FOUND', `no channel with id ${input.channelId}`);
      const impl = registry.get(c.type);
      let handle: string | null = null;
      if (input.handle !== undefined && input.handle !== '') {
        const h = impl?.handleSchema.safeParse(input.handle);
        if (!h?.success)
          throw new HttpError(400, 'CONTACT_HANDLE_INVALID', `handle: ${h?.error.issues[0]?.message ?? 'invalid'} (channel ${c.name} is ${c.type})`);
        handle = h.data;
      } else if (c.type === 'email' && !u.email) {
        throw new HttpError(400, 'CONTACT_HANDLE_INVALID', `handle: ${u.username} has no email address; give one as the handle`);
      } else if (c.type === 'ntfy' && typeof c.config.topic !== 'string') {
        throw new HttpError(400, 'CONTACT_HANDLE_INVALID', `handle: channel ${c.name} has no default topic; give the person's topic as the handle`);
      }
      try {
        return audit.audited(actor, (record) => {
          const contact = channels.addContact(userId, c.id, handle, deps.now());
          record({
            action: 'user.contact-add',
            entityType: 'user',
            entityId: userId,
            summary: `added a contact point for ${u.username}`,
            detail: { contactId: contact.id, channelId: input.channelId },
          });
          return contact;
        });
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw err;
        throw new HttpError(409, 'CONTACT_EXISTS', `${u.username} already has this contact point`);
      }
    },
    removeContact(userId: string, contactId: string, actor: AuditActor): void {
      const u = mustFindUser(userId);
      const cp = channels.findContact(contactId);
      if (!cp || cp.userId !== userId) throw new HttpError(404, 'CONTACT_NOT_FOUND', `no contact point ${contactId} for user ${userId}`);
      audit.audited(actor, (record) => {
        channels.deleteContact(contactId);
        record({
          action: 'user.contact-remove',
          entityType: 'user',
          entityId: userId,
          summary: `removed a contact point of ${u.username}`,
          detail: { contactId },
        });
      });
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
