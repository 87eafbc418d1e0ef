/**
 * The on-call part of the API client: channels, people's contact points, schedules with their
 * overrides and shifts, escalation policies, and who is on call now (docs/API.md, "On-call and
 * notifications"). Shapes come from shared/notify-types.ts (types only: that module's zod
 * schemas stay on the server).
 */
import type { UserAccount } from '../../../shared/api-types.js';
import type {
  ChannelTestResult,
  ChannelTypeInfo,
  ChannelView,
  ContactPoint,
  EscalationPolicy,
  OnCallGaps,
  OnCallNow,
  OnCallShift,
  Person,
  PolicyInput,
  Schedule,
  ScheduleInput,
  ScheduleOverrideView,
  TestPageResult,
} from '../../../shared/notify-types.js';
import { enc, query, type RequestFn } from './api-request.js';

/** Body of POST /api/channels (PATCH takes any subset but `type`). */
export interface ChannelBody {
  type: string;
  name: string;
  config: Record<string, unknown>;
  isEnabled?: boolean;
}

/** Body of POST /api/oncall/schedules/:id/overrides. */
export interface OverrideBody {
  userId: string;
  startsAtMs: number;
  endsAtMs: number;
  note?: string;
}

/** Endpoints of the on-call module. */
export interface OnCallApi {
  listChannels(): Promise<ChannelView[]>;
  /** The types this server can send through, with labels and which config fields are secret. */
  listChannelTypes(): Promise<ChannelTypeInfo[]>;
  createChannel(input: ChannelBody): Promise<ChannelView>;
  updateChannel(id: string, patch: Partial<Omit<ChannelBody, 'type'>>): Promise<ChannelView>;
  deleteChannel(id: string): Promise<void>;
  /** Sends a test message now; `to` = an email address or ntfy topic for person channels. */
  testChannel(id: string, to?: string): Promise<ChannelTestResult>;

  /** One user with e-mail and contact points (admins: anyone; others: themselves). */
  getPerson(userId: string): Promise<Person>;
  /** Sets a user's e-mail (admins: anyone; others: themselves); null clears it. */
  setEmail(userId: string, email: string | null): Promise<UserAccount>;
  listContacts(userId: string): Promise<ContactPoint[]>;
  addContact(userId: string, input: { channelId: string; handle?: string }): Promise<ContactPoint>;
  removeContact(userId: string, contactId: string): Promise<void>;

  onCallNow(signal?: AbortSignal): Promise<OnCallNow>;
  /** Gaps of every policy in use over the coming 7 days. */
  onCallGaps(): Promise<OnCallGaps>;
  /** The server's own health checks (admins only). */
  systemChecks(): Promise<{ isEnabled: boolean; checks: { id: string; status: 'ok' | 'warning' | 'critical'; summary: string; sinceMs: number }[] }>;
  /** A real test page to the signed-in user through every contact point. */
  testPage(): Promise<TestPageResult>;
  listSchedules(): Promise<Schedule[]>;
  createSchedule(input: ScheduleInput): Promise<Schedule>;
  updateSchedule(id: string, patch: Partial<ScheduleInput>): Promise<Schedule>;
  deleteSchedule(id: string): Promise<void>;
  /** Shifts of one schedule in [fromMs, toMs) (at most 92 days). */
  listShifts(scheduleId: string, fromMs: number, toMs: number): Promise<OnCallShift[]>;
  /** Current and future overrides of one schedule. */
  listOverrides(scheduleId: string): Promise<ScheduleOverrideView[]>;
  addOverride(scheduleId: string, input: OverrideBody): Promise<ScheduleOverrideView>;
  deleteOverride(scheduleId: string, overrideId: string): Promise<void>;

  /** The grouping window: alerts of one client and rule within it are one page (0 = off). */
  getGrouping(): Promise<{ windowSeconds: number; isDefault: boolean }>;
  setGrouping(windowSeconds: number): Promise<{ windowSeconds: number; isDefault: boolean }>;
  listPolicies(): Promise<EscalationPolicy[]>;
  createPolicy(input: PolicyInput): Promise<EscalationPolicy>;
  updatePolicy(id: string, patch: Partial<PolicyInput>): Promise<EscalationPolicy>;
  deletePolicy(id: string): Promise<void>;
}

/** The on-call endpoints over `request`. */
export function createOnCallApi(request: RequestFn): OnCallApi {
  const call = async <T>(method: Parameters<RequestFn>[0], path: string, body?: unknown, signal?: AbortSignal) =>
    (await request<T>(method, path, body, { signal })).body;
  const schedule = (id: string) => `/api/oncall/schedules/${enc(id)}`;
  return {
    listChannels: () => call('GET', '/api/channels'),
    listChannelTypes: () => call('GET', '/api/channels/types'),
    createChannel: (input) => call('POST', '/api/channels', input),
    updateChannel: (id, patch) => call('PATCH', `/api/channels/${enc(id)}`, patch),
    deleteChannel: (id) => call('DELETE', `/api/channels/${enc(id)}`),
    testChannel: (id, to) => call('POST', `/api/channels/${enc(id)}/test`, to ? { to } : {}),

    getPerson: (userId) => call('GET', `/api/users/${enc(userId)}`),
    setEmail: (userId, email) => call('PATCH', `/api/users/${enc(userId)}`, { email }),
    listContacts: (userId) => call('GET', `/api/users/${enc(userId)}/contacts`),
    addContact: (userId, input) => call('POST', `/api/users/${enc(userId)}/contacts`, input),
    removeContact: (userId, contactId) => call('DELETE', `/api/users/${enc(userId)}/contacts/${enc(contactId)}`),

    onCallNow: (signal) => call('GET', '/api/oncall/now', undefined, signal),
    onCallGaps: () => call('GET', '/api/oncall/gaps'),
    systemChecks: () => call('GET', '/api/system/checks'),
    testPage: () => call('POST', '/api/oncall/test-page', {}),
    getGrouping: () => call('GET', '/api/oncall/grouping'),
    setGrouping: (windowSeconds) => call('PUT', '/api/oncall/grouping', { windowSeconds }),
    listSchedules: () => call('GET', '/api/oncall/schedules'),
    createSchedule: (input) => call('POST', '/api/oncall/schedules', input),
    updateSchedule: (id, patch) => call('PATCH', schedule(id), patch),
    deleteSchedule: (id) => call('DELETE', schedule(id)),
    listShifts: (id, fromMs, toMs) => call('GET', `${schedule(id)}/shifts${query({ from: Math.round(fromMs), to: Math.round(toMs) })}`),
    listOverrides: (id) => call('GET', `${schedule(id)}/overrides`),
    addOverride: (id, input) => call('POST', `${schedule(id)}/overrides`, input),
    deleteOverride: (id, overrideId) => call('DELETE', `${schedule(id)}/overrides/${enc(overrideId)}`),

    listPolicies: () => call('GET', '/api/escalation-policies'),
    createPolicy: (input) => call('POST', '/api/escalation-policies', input),
    updatePolicy: (id, patch) => call('PATCH', `/api/escalation-policies/${enc(id)}`, patch),
    deletePolicy: (id) => call('DELETE', `/api/escalation-policies/${enc(id)}`),
  };
}
