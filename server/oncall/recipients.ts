/**
 * From escalation targets to destinations: schedules resolve to whoever is on call at that
 * instant, roles to their members, users to their contact points. Then the dedupe stage:
 * person channels (email, ntfy) get one message per address; shared channels (Slack, Teams,
 * webhook) get one message per channel, mentioning everyone paged there.
 *
 * A user without contact points is reached by email through the first enabled email channel,
 * if they have an address — so a fresh install with one SMTP channel pages its admins.
 */
import type { EscalationTarget } from '../../shared/notify-types.js';
import type { ChannelRecord, ChannelStore } from '../store/channels.js';
import type { OnCallStore } from '../store/oncall.js';
import type { User, UserStore } from '../store/users.js';
import { onCallAt } from './schedule.js';

/** One place a message goes. */
export interface Destination {
  channel: ChannelRecord;
  /** The one user this reaches, or null (a room, or several people). */
  userId: string | null;
  /** For people: "piet <piet@example.com>", "#ops (Slack): piet, jan". */
  recipient: string;
  to: string | null;
  mentions: string[];
  destinationKey: string;
  /** Who an ack link sent here acknowledges as: a user id or "channel:<id>". */
  ackRecipient: string;
}

/** The outcome of resolving targets. */
export interface Resolution {
  destinations: Destination[];
  /** Usernames reached. */
  people: string[];
  /** Why someone or something could not be reached. */
  problems: string[];
}

interface Draft {
  channel: ChannelRecord;
  to: string | null;
  users: User[];
  mentions: string[];
}

/**
 * What on-call needs to know of a channel type: whether it reaches one person (email, ntfy) or a
 * shared room (Slack, Teams, webhook). The notifier's channel registry is one; on-call sits
 * below notify/, so it names only this much of it.
 */
export interface ChannelAudiences {
  get(type: string): { readonly audience: 'person' | 'shared' } | undefined;
}

/** Builds the resolver over the stores. */
export function createRecipientResolver(deps: { users: UserStore; channels: ChannelStore; oncall: OnCallStore; registry: ChannelAudiences }) {
  const { users, channels, oncall, registry } = deps;

  function scheduleUser(scheduleId: string, atMs: number, problems: string[]): string | null {
    const s = oncall.findSchedule(scheduleId);
    if (!s) {
      problems.push(`schedule ${scheduleId} no longer exists`);
      return null;
    }
    const who = onCallAt(
      {
        timezone: s.timezone,
        layers: s.layers.map((l) => ({ ...l, restrictions: l.restrictions ?? [] })),
        overrides: oncall.overridesOf(s.id, atMs),
      },
      atMs,
    );
    if (!who.userId) problems.push(`nobody is on call on schedule "${s.name}"`);
    return who.userId;
  }

  function collect(drafts: Map<string, Draft>, user: User, onlyTypes: readonly string[] | undefined, problems: string[]): void {
    const usable = (c: ChannelRecord | undefined): c is ChannelRecord =>
      !!c && c.isEnabled && !!registry.get(c.type) && (!onlyTypes || onlyTypes.includes(c.type));
    let reached = 0;
    const add = (channel: ChannelRecord, to: string | null, mention: string | null) => {
      const shared = registry.get(channel.type)!.audience === 'shared';
      const key = `${channel.id}|${shared ? '*' : (to ?? '*')}`;
      const d = drafts.get(key) ?? { channel, to: shared ? null : to, users: [], mentions: [] };
      if (!d.users.some((u) => u.id === user.id)) d.users.push(user);
      if (mention && !d.mentions.includes(mention)) d.mentions.push(mention);
      drafts.set(key, d);
      reached++;
    };
    for (const cp of channels.contactsOf(user.id)) {
      const channel = channels.findById(cp.channelId);
      if (!usable(channel)) continue;
      const shared = registry.get(channel.type)!.audience === 'shared';
      if (shared) add(channel, null, cp.handle);
      else if (channel.type === 'email') {
        const address = cp.handle ?? user.email;
        if (address) add(channel, address, null);
        else problems.push(`${user.username} has an email contact point without an address and no email set`);
      } else add(channel, cp.handle, null);
    }
    if (reached > 0) return;
    const fallback = channels.list().find((c) => c.type === 'email' && usable(c));
    if (user.email && fallback) add(fallback, user.email, null);
    else problems.push(`${user.username} has no contact point${user.email ? '' : ' and no email address'}`);
  }

  function finish(drafts: Map<string, Draft>, problems: string[]): Resolution {
    const people = new Set<string>();
    const destinations = [...drafts.entries()].map(([destinationKey, d]): Destination => {
      for (const u of d.users) people.add(u.username);
      const names = d.users.map((u) => u.username).join(', ');
      const single = d.users.length === 1 ? d.users[0]! : undefined;
      const recipient =
        registry.get(d.channel.type)!.audience === 'person'
          ? `${names || d.channel.name}${d.to ? ` <${d.to}>` : ''}`
          : `${d.channel.name}${names ? `: ${names}` : ''}`;
      return {
        channel: d.channel,
        userId: single?.id ?? null,
        recipient,
        to: d.to,
        mentions: d.mentions,
        destinationKey,
        ackRecipient: single ? single.id : `channel:${d.channel.id}`,
      };
    });
    return { destinations, people: [...people], problems };
  }

  return {
    /** Destinations for a level's targets at `atMs`. */
    resolveTargets(targets: readonly EscalationTarget[], atMs: number): Resolution {
      const problems: string[] = [];
      const drafts = new Map<string, Draft>();
      const seen = new Set<string>();
      const addUser = (userId: string | null) => {
        if (!userId || seen.has(userId)) return;
        seen.add(userId);
        const u = users.findById(userId);
        if (u) collect(drafts, u, undefined, problems);
        else problems.push(`user ${userId} no longer exists`);
      };
      for (const t of targets) {
        if (t.type === 'user') addUser(t.userId);
        else if (t.type === 'schedule') addUser(scheduleUser(t.scheduleId, atMs, problems));
        else if (t.type === 'role') {
          const members = users.list().filter((u) => u.role === t.role);
          if (members.length === 0) problems.push(`nobody has role ${t.role}`);
          for (const u of members) addUser(u.id);
        } else {
          const channel = channels.findById(t.channelId);
          if (!channel || !channel.isEnabled || registry.get(channel.type)?.audience !== 'shared') {
            problems.push(`channel ${t.channelId} is missing, disabled or not a shared channel`);
            continue;
          }
          const key = `${channel.id}|*`;
          if (!drafts.has(key)) drafts.set(key, { channel, to: null, users: [], mentions: [] });
        }
      }
      return finish(drafts, problems);
    },
    /** Destinations of some users, optionally only on channels of these types. */
    resolveUsers(userIds: readonly string[], onlyTypes?: readonly string[]): Resolution {
      const problems: string[] = [];
      const drafts = new Map<string, Draft>();
      for (const id of new Set(userIds)) {
        const u = users.findById(id);
        if (u) collect(drafts, u, onlyTypes, problems);
      }
      return finish(drafts, problems);
    },
  };
}
export type RecipientResolver = ReturnType<typeof createRecipientResolver>;

/** The columns a delivery row takes from its destination (channel, person, address). */
export function deliveryTarget(d: Destination) {
  return {
    channelId: d.channel.id,
    channelType: d.channel.type,
    channelName: d.channel.name,
    userId: d.userId,
    recipient: d.recipient,
    toAddress: d.to,
    mentions: d.mentions,
    destinationKey: d.destinationKey,
  };
}
