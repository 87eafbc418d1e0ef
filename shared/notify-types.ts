/**
 * On-call and notifications: the input schemas the server validates (the dashboard can reuse
 * them for its forms) and the shapes of the REST answers. Times are ms since the Unix epoch;
 * durations are ms; local times are "HH:MM" in the schedule's IANA time zone.
 */
import { z } from 'zod';
import { WEEKDAYS } from './alert-types.js';

const id = z.string().min(1).max(64);
const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM (00:00–23:59)');
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** Body of POST /api/channels (PATCH takes any subset). */
export const channelInputSchema = z
  .object({
    type: z.string().min(1).max(40),
    name: z.string().trim().min(1).max(200),
    /** Type-specific; validated by the channel's own schema (CHANNEL_CONFIG_INVALID). */
    config: z.record(z.string(), z.unknown()),
    isEnabled: z.boolean().optional(),
  })
  .strict();
export type ChannelInput = z.infer<typeof channelInputSchema>;

/** A channel as the API answers it: secrets masked. */
export interface ChannelView {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  isEnabled: boolean;
  createdAtMs: number;
  updatedAtMs: number;
  updatedBy: string | null;
}

/** GET /api/channels/types: a channel type this server knows. */
export interface ChannelTypeInfo {
  type: string;
  /** Human name, e.g. "Microsoft Teams (workflow webhook)". */
  label: string;
  /** `person`: one message per recipient (email, ntfy); `shared`: one message into a room (Slack, Teams, webhook). */
  audience: 'person' | 'shared';
  /** Dotted paths of config fields answered masked. */
  secretFields: string[];
}

/** POST /api/channels/:id/test answer (a failure is 502 CHANNEL_TEST_FAILED). */
export interface ChannelTestResult {
  ok: true;
  deliveryId: number;
  /** The receiver's status; null for non-HTTP channels (email). */
  httpStatus: number | null;
  /** What the receiver said, trimmed. */
  detail: string | null;
}

/** Body of POST /api/users/:id/contacts. */
export const contactInputSchema = z
  .object({
    channelId: id,
    /** Email address, ntfy topic, Slack member id, name…; omitted = the channel's default. */
    handle: z.string().trim().max(320).optional(),
  })
  .strict();

/** How a person is reached on a channel. */
export interface ContactPoint {
  id: string;
  userId: string;
  channelId: string;
  channelName: string;
  channelType: string;
  /** null = default (the user's email, the channel's topic, no mention). */
  handle: string | null;
  createdAtMs: number;
}

/** A user with the contact points they are paged on. */
export interface Person {
  id: string;
  username: string;
  role: 'admin' | 'technician' | 'viewer';
  email: string | null;
  contacts: ContactPoint[];
}

/** Local times a schedule layer applies; an end at or before the start runs into the next day. */
export const layerRestrictionSchema = z
  .object({ days: z.array(z.enum(WEEKDAYS)).min(1).max(7), startTime: localTime, endTime: localTime })
  .strict()
  .refine((r) => r.startTime !== r.endTime, { message: 'startTime and endTime must differ', path: ['endTime'] });

/** One rotation layer. */
export const layerInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    /** User ids in rotation order. */
    userIds: z.array(id).min(1).max(100),
    /** Shift length in days; 7 = weekly. */
    rotationDays: z.number().int().min(1).max(28).default(7),
    /**
     * Local date of the first handoff. Left out: the layer starts now — the server picks the
     * date whose handoff is the latest one not after now, so users[0] is on call at once.
     */
    startDate: localDate.optional(),
    /** Local time of every handoff. */
    handoffTime: localTime.default('09:00'),
    restrictions: z.array(layerRestrictionSchema).max(14).default([]),
  })
  .strict();

/** Body of POST /api/oncall/schedules (PATCH takes any subset). */
export const scheduleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    timezone: z.string().min(1).max(100),
    /** The last layer wins where it applies. */
    layers: z.array(layerInputSchema).min(1).max(10),
  })
  .strict();
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;

/** Body of POST /api/oncall/schedules/:id/overrides. */
export const overrideInputSchema = z
  .object({
    userId: id,
    startsAtMs: z.number().int().min(0),
    endsAtMs: z.number().int().min(0),
    note: z.string().trim().max(500).optional(),
  })
  .strict();

/** Who or what a level pages. */
export const targetSchema = z.discriminatedUnion('type', [
  /** Whoever is on call on this schedule at that moment. */
  z.object({ type: z.literal('schedule'), scheduleId: id }).strict(),
  z.object({ type: z.literal('user'), userId: id }).strict(),
  /** Everyone with this role, e.g. all admins. */
  z.object({ type: z.literal('role'), role: z.enum(['admin', 'technician']) }).strict(),
  /** A shared channel itself (a team room), without a person. */
  z.object({ type: z.literal('channel'), channelId: id }).strict(),
]);
export type EscalationTarget = z.infer<typeof targetSchema>;

/** Body of POST /api/escalation-policies (PATCH takes any subset). */
export const policyInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    /** Ascending afterMs (ms after paging starts); the first is usually 0. */
    levels: z
      .array(
        z
          .object({
            afterMs: z
              .number()
              .int()
              .min(0)
              .max(7 * 86_400_000),
            targets: z.array(targetSchema).min(1).max(20),
          })
          .strict(),
      )
      .min(1)
      .max(10),
    /** Extra passes through the ladder while unacknowledged; "until-acknowledged" = no limit. */
    repeat: z.union([z.number().int().min(0).max(100), z.literal('until-acknowledged')]).default(0),
    /** Pause after the last level before the next pass, ms (≥ 1 min). */
    repeatAfterMs: z
      .number()
      .int()
      .min(60_000)
      .max(7 * 86_400_000)
      .default(600_000),
    /** The policy for every client without one of its own. */
    isDefault: z.boolean().default(false),
    /** Clients that use this policy (each client has at most one). */
    clientIds: z.array(id).max(1000).default([]),
  })
  .strict();
export type PolicyInput = z.infer<typeof policyInputSchema>;

/** A layer as stored and answered: its start date is always set. */
export type StoredLayer = Omit<z.infer<typeof layerInputSchema>, 'startDate'> & { startDate: string };

/** A schedule as the API answers it. */
export interface Schedule {
  id: string;
  name: string;
  timezone: string;
  layers: StoredLayer[];
  createdAtMs: number;
  updatedAtMs: number;
  updatedBy: string | null;
}

/** An override as the API answers it. */
export interface ScheduleOverrideView {
  id: string;
  scheduleId: string;
  userId: string;
  username: string;
  startsAtMs: number;
  endsAtMs: number;
  note: string | null;
  createdAtMs: number;
  createdBy: string | null;
}

/** An escalation policy as the API answers it. */
export interface EscalationPolicy {
  id: string;
  name: string;
  levels: { afterMs: number; targets: EscalationTarget[] }[];
  repeat: number | 'until-acknowledged';
  repeatAfterMs: number;
  isDefault: boolean;
  clientIds: string[];
  createdAtMs: number;
  updatedAtMs: number;
  updatedBy: string | null;
}

/** One stretch of on-call time. */
export interface OnCallShift {
  userId: string | null;
  username: string | null;
  source: 'override' | 'layer' | 'nobody';
  layer: string | null;
  startsAtMs: number;
  /** null when nothing changes within 60 days. */
  endsAtMs: number | null;
}

/** GET /api/oncall/now: per schedule, who is on call now and who is next. */
export interface OnCallNow {
  atMs: number;
  schedules: { scheduleId: string; name: string; timezone: string; current: OnCallShift; next: OnCallShift | null }[];
}

/** Delivery states: queued, in flight, done, given up. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** One attempt to send a delivery. */
export interface DeliveryAttempt {
  atMs: number;
  durationMs: number;
  outcome: 'sent' | 'retry' | 'failed' | 'interrupted';
  httpStatus: number | null;
  error: string | null;
}

/** One message to one destination (GET /api/notifications). */
export interface Delivery {
  id: number;
  idempotencyKey: string;
  purpose: 'page' | 'update' | 'dead-letter' | 'digest' | 'test';
  kind: string;
  alertId: string | null;
  channelId: string | null;
  channelType: string;
  channelName: string;
  userId: string | null;
  recipient: string;
  level: number | null;
  title: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAtMs: number | null;
  lastError: string | null;
  createdAtMs: number;
  sentAtMs: number | null;
  deadAtMs: number | null;
  attemptLog: DeliveryAttempt[];
}

/** Daily digest of new break-fix incidents (off by default). */
export const digestSettingsSchema = z
  .object({
    isEnabled: z.boolean(),
    /** An email channel. */
    channelId: id.nullable(),
    /** The service-desk address. */
    to: z.email({ error: 'must be an email address' }).nullable(),
    /** Local time to send, HH:MM. */
    localTime: localTime,
    timezone: z.string().min(1).max(100),
  })
  .strict();
export type DigestSettings = z.infer<typeof digestSettingsSchema>;

/** A stretch in which a policy's first level pages nobody (the fallback is paged instead). */
export interface CoverageGapView {
  startsAtMs: number;
  endsAtMs: number;
  /** Why, in words: `nobody is on call on schedule "Primary"`. */
  reasons: string[];
}

/** GET /api/oncall/gaps: every gap in the coming days, per escalation policy in use. */
export interface OnCallGaps {
  fromMs: number;
  toMs: number;
  policies: {
    /** null: no policy is configured and the implicit one (all admins) is used. */
    policyId: string | null;
    name: string;
    isDefault: boolean;
    clientIds: string[];
    gaps: CoverageGapView[];
  }[];
}

/** POST /api/oncall/test-page: what each contact point's receiver said. */
export interface TestPageResult {
  /** Every contact point took the page. */
  ok: boolean;
  results: {
    deliveryId: number;
    channelName: string;
    channelType: string;
    recipient: string;
    ok: boolean;
    httpStatus: number | null;
    detail: string | null;
    error: string | null;
  }[];
  /** Contact points that could not be used, in words. */
  problems: string[];
}
