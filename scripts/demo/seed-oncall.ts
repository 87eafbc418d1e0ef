/**
 * On-call demo data, seeded after seedDemo (so the alerts it raised were dispatched before any
 * policy existed and nothing is sent): three channels (an SMTP relay, a Slack room, a signed
 * ticketing webhook; hosts under .example, never reachable), people's contact points, a
 * "Primary" schedule with a day and a night layer and a swap override, and a default
 * escalation policy of two levels.
 */
import { hashPassword } from '../../server/lib/secrets.js';
import type { QuarkpulseServer } from '../../server/index.js';
import { session } from './seed.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What the on-call seeding made. */
export interface OnCallHandles {
  scheduleId: string;
  policyId: string;
  channelIds: Record<string, string>;
}

/** Monday of this week, YYYY-MM-DD (rotations start on a Monday, as rotas are read). */
function mondayOfThisWeek(nowMs: number): string {
  const d = new Date(nowMs);
  d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** 18:00 tomorrow in `timeZone` (whatever zone this process runs in). */
function tomorrowEvening(nowMs: number, timeZone: string): number {
  const day = new Date(nowMs + DAY);
  const wall = (tz: string) => new Date(day.toLocaleString('en-US', { timeZone: tz })).getTime();
  const offsetMs = wall(timeZone) - wall('UTC');
  return Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 18) - offsetMs;
}

/** Seeds on-call data through the REST API as admin. */
export async function seedOnCall(server: QuarkpulseServer, baseUrl: string, adminPassword: string): Promise<OnCallHandles> {
  const nowMs = Date.now();
  server.ctx.users.create(
    { username: 'joost', passwordHash: await hashPassword('joost-demo-password'), role: 'technician', email: 'joost@quarkpulse.example' },
    nowMs - 90 * DAY,
  );
  const admin = await session(baseUrl, 'admin', adminPassword);
  const users = (await admin('GET', '/api/users')) as { id: string; username: string }[];
  const id = (name: string) => users.find((u) => u.username === name)!.id;
  await admin('PATCH', `/api/users/${id('admin')}`, { email: 'ops@quarkpulse.example' });

  const mail = await admin('POST', '/api/channels', {
    type: 'email',
    name: 'Mail relay',
    config: {
      host: 'smtp.quarkpulse.example',
      port: 587,
      tls: 'required',
      from: 'Quarkpulse <alerts@quarkpulse.example>',
      auth: { user: 'quarkpulse', pass: 'demo-smtp-password' },
    },
  });
  const slack = await admin('POST', '/api/channels', {
    type: 'slack',
    name: 'Slack #ops',
    config: { webhookUrl: 'https://hooks.slack.example/services/T0DEMO/B0DEMO/demo-token' },
  });
  const hook = await admin('POST', '/api/channels', {
    type: 'webhook',
    name: 'Ticketing',
    config: { url: 'https://tickets.quarkpulse.example/hooks/quarkpulse', secret: 'demo-webhook-secret-0123456789' },
  });
  await admin('POST', '/api/channels', { type: 'ntfy', name: 'Phone push', config: { serverUrl: 'https://ntfy.quarkpulse.example' }, isEnabled: false });

  for (const name of ['admin', 'tina', 'joost']) await admin('POST', `/api/users/${id(name)}/contacts`, { channelId: mail.id });
  await admin('POST', `/api/users/${id('tina')}/contacts`, { channelId: slack.id, handle: 'U0TINA01' });
  await admin('POST', `/api/users/${id('joost')}/contacts`, { channelId: slack.id, handle: 'U0JOOST1' });

  const schedule = await admin('POST', '/api/oncall/schedules', {
    name: 'Primary',
    timezone: 'Europe/Amsterdam',
    layers: [
      { name: 'Office hours', userIds: [id('tina'), id('joost'), id('admin')], rotationDays: 7, startDate: mondayOfThisWeek(nowMs), handoffTime: '09:00' },
      {
        name: 'Nights',
        userIds: [id('joost'), id('tina')],
        rotationDays: 7,
        startDate: mondayOfThisWeek(nowMs),
        handoffTime: '18:00',
        restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '18:00', endTime: '08:00' }],
      },
    ],
  });
  const evening = tomorrowEvening(nowMs, 'Europe/Amsterdam');
  await admin('POST', `/api/oncall/schedules/${schedule.id}/overrides`, {
    userId: id('admin'),
    startsAtMs: evening,
    endsAtMs: evening + 14 * HOUR,
    note: 'swap: joost at a client site',
  });

  const policy = await admin('POST', '/api/escalation-policies', {
    name: 'Standard',
    isDefault: true,
    repeat: 'until-acknowledged',
    repeatAfterMs: 30 * 60_000,
    levels: [
      {
        afterMs: 0,
        targets: [
          { type: 'schedule', scheduleId: schedule.id },
          { type: 'channel', channelId: slack.id },
        ],
      },
      {
        afterMs: 15 * 60_000,
        targets: [
          { type: 'role', role: 'admin' },
          { type: 'channel', channelId: hook.id },
        ],
      },
    ],
  });
  return { scheduleId: schedule.id, policyId: policy.id, channelIds: { mail: mail.id, slack: slack.id, hook: hook.id } };
}
