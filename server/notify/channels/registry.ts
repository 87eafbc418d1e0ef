/**
 * The channel types this server knows, in one list. Registering a type twice is a programming
 * error and throws at startup. Also here: config validation with precise errors, and masking of
 * secret config fields for API answers.
 */
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { messageBirdChannel } from './messagebird.js';
import { pushoverChannel } from './pushover.js';
import { telegramChannel } from './telegram.js';
import { twilioChannel } from './twilio.js';
import { ntfyChannel } from './ntfy.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import type { AnyChannel } from './types.js';
import { webhookChannel } from './webhook.js';

/** Every built-in channel type. */
export const BUILTIN_CHANNELS: readonly AnyChannel[] = [
  emailChannel,
  webhookChannel,
  slackChannel,
  teamsChannel,
  ntfyChannel,
  telegramChannel,
  pushoverChannel,
  discordChannel,
  twilioChannel,
  messageBirdChannel,
];

/** How a secret is shown: never in full. URLs keep their origin so people can tell them apart. */
export const MASK = '••••••••';

/** Result of validating a channel config. */
export type ConfigCheck =
  { ok: true; config: Record<string, unknown> } | { ok: false; code: 'CHANNEL_TYPE_UNKNOWN' | 'CHANNEL_CONFIG_INVALID'; message: string };

function getPath(obj: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o: Record<string, unknown> = obj;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') return;
    o = o[k] as Record<string, unknown>;
  }
  o[keys.at(-1)!] = value;
}

/** The masked form of one secret value. */
export function maskSecret(value: string): string {
  try {
    const u = new URL(value);
    if (u.protocol === 'http:' || u.protocol === 'https:') return `${u.origin}/${MASK}`;
  } catch {
    // not a URL
  }
  return MASK;
}

/** Builds a registry over `channels`; throws if a type appears twice. */
export function createChannelRegistry(channels: readonly AnyChannel[] = BUILTIN_CHANNELS) {
  const byType = new Map<string, AnyChannel>();
  for (const c of channels) {
    if (byType.has(c.type)) throw new Error(`notification channel type "${c.type}" is registered twice`);
    byType.set(c.type, c);
  }
  const types = () => [...byType.keys()];

  return {
    get: (type: string): AnyChannel | undefined => byType.get(type),
    types,
    list: (): AnyChannel[] => [...byType.values()],
    /** Validates `config` for `type`, naming the first bad field. */
    checkConfig(type: string, config: unknown): ConfigCheck {
      const channel = byType.get(type);
      if (!channel) return { ok: false, code: 'CHANNEL_TYPE_UNKNOWN', message: `unknown channel type "${type}"; known: ${types().join(', ')}` };
      const r = channel.configSchema.safeParse(config ?? {});
      if (r.success) return { ok: true, config: r.data as Record<string, unknown> };
      const issue = r.error.issues[0]!;
      const where = ['config', ...issue.path.map(String)].join('.');
      return { ok: false, code: 'CHANNEL_CONFIG_INVALID', message: `${where}: ${issue.message}` };
    },
    /** A copy of `config` with every secret field masked. */
    maskConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
      const copy = structuredClone(config);
      for (const path of byType.get(type)?.secretFields ?? []) {
        const v = getPath(copy, path);
        if (typeof v === 'string') setPath(copy, path, maskSecret(v));
      }
      return copy;
    },
    /**
     * For updates: a secret field sent back masked (as the API showed it) or left out keeps its
     * stored value, so editing the name of a channel does not need its password again.
     */
    keepSecrets(type: string, incoming: Record<string, unknown>, stored: Record<string, unknown>): Record<string, unknown> {
      const merged = structuredClone(incoming);
      for (const path of byType.get(type)?.secretFields ?? []) {
        const given = getPath(merged, path);
        const old = getPath(stored, path);
        if (typeof old !== 'string') continue;
        if (given === undefined || given === maskSecret(old)) {
          const parent = path.includes('.') ? getPath(merged, path.slice(0, path.lastIndexOf('.'))) : merged;
          if (parent && typeof parent === 'object') setPath(merged, path, old);
        }
      }
      return merged;
    },
  };
}
export type ChannelRegistry = ReturnType<typeof createChannelRegistry>;
