/**
 * The on-call REST API on a real server: people and contact points, schedules with layers and
 * overrides, who is on call now, escalation policies — each mistake with its own code, and
 * roles (viewers read, technicians and admins change).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { createUser } from '../helpers/oncall-setup.js';

const HOUR = 3_600_000;

describe('on-call REST API', () => {
  let t: TestServer;
  let api: ApiClient;

  beforeEach(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    await t.close();
  });

  const err = async (p: Promise<{ json: { error: { code: string; message: string } } }>) => (await p).json.error;
  async function loginAs(username: string) {
    const c = new ApiClient(t.url);
    await c.login(username, `${username}-password-1`);
    return c;
  }

  it("people: admins add users, everyone sets their own email and contact points, technicians manage anyone's", async () => {
    const piet = await createUser(api, 'piet', 'technician', 'piet@example.com');
    const vera = await createUser(api, 'vera', 'viewer', null);
    expect(await err(api.post('/api/users', { username: 'piet', password: 'long-enough-pw', role: 'technician' }))).toEqual({
      code: 'USER_EXISTS',
      message: 'a user named "piet" already exists',
    });
    expect(await err(api.post('/api/users', { username: 'x', password: 'long-enough-pw', role: 'technician' }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: 'body.username: must be 2–50 letters, digits or . _ @ -',
    });
    expect(await err(api.post('/api/users', { username: 'kees', password: 'short', role: 'technician' }))).toMatchObject({
      code: 'PASSWORD_TOO_SHORT',
      message: 'body.password: a password needs at least 10 characters',
    });

    const mail = (await api.post('/api/channels', { type: 'email', name: 'Mail', config: { host: 'smtp.example.com', from: 'a@example.com' } })).json;
    const slack = (await api.post('/api/channels', { type: 'slack', name: 'Slack', config: { webhookUrl: 'https://hooks.slack.com/services/T/B/x' } })).json;
    const ntfy = (await api.post('/api/channels', { type: 'ntfy', name: 'Phones', config: {} })).json;

    const asPiet = await loginAs('piet');
    expect(await err(asPiet.post('/api/users', { username: 'kees', password: 'long-enough-pw', role: 'admin' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect((await asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: slack.id, handle: 'U0PIET1' })).status).toBe(201);
    expect(await err(asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: slack.id, handle: 'U0PIET1' }))).toEqual({
      code: 'CONTACT_EXISTS',
      message: 'piet already has this contact point',
    });
    expect(await err(asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: slack.id, handle: 'piet' }))).toEqual({
      code: 'CONTACT_HANDLE_INVALID',
      message: 'handle: must be a Slack member id such as U012AB3CD, or @here / @channel (channel Slack is slack)',
    });
    expect(await err(asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: mail.id, handle: 'nope' }))).toMatchObject({
      code: 'CONTACT_HANDLE_INVALID',
      message: 'handle: must be an email address (channel Mail is email)',
    });
    expect(await err(asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: ntfy.id }))).toEqual({
      code: 'CONTACT_HANDLE_INVALID',
      message: "handle: channel Phones has no default topic; give the person's topic as the handle",
    });
    expect(await err(asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: 'nope' }))).toEqual({
      code: 'CONTACT_CHANNEL_NOT_FOUND',
      message: 'no channel with id nope',
    });
    expect((await asPiet.post(`/api/users/${piet.id}/contacts`, { channelId: mail.id })).json).toMatchObject({
      channelName: 'Mail',
      channelType: 'email',
      handle: null,
    });
    expect((await asPiet.post(`/api/users/${vera.id}/contacts`, { channelId: ntfy.id, handle: 'vera-phone' })).status).toBe(201);

    const asVera = await loginAs('vera');
    expect(await err(asVera.post(`/api/users/${piet.id}/contacts`, { channelId: mail.id, handle: 'vera@example.com' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await err(asVera.post(`/api/users/${vera.id}/contacts`, { channelId: mail.id }))).toEqual({
      code: 'CONTACT_HANDLE_INVALID',
      message: 'handle: vera has no email address; give one as the handle',
    });
    expect((await asVera.request('PATCH', `/api/users/${vera.id}`, { email: 'vera@example.com' })).json).toMatchObject({ email: 'vera@example.com' });
    expect(await err(asVera.request('PATCH', `/api/users/${piet.id}`, { email: 'x@example.com' }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await err(asVera.request('PATCH', `/api/users/${vera.id}`, { email: 'nope' }))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'body.email: must be an email address',
    });

    const people = (await api.get('/api/users')).json;
    expect(
      people.map((p: { username: string; email: string | null; contacts: { channelName: string; handle: string | null }[] }) => [
        p.username,
        p.email,
        p.contacts.map((c) => `${c.channelName}:${c.handle}`),
      ]),
    ).toEqual([
      ['admin', null, []],
      ['piet', 'piet@example.com', ['Mail:null', 'Slack:U0PIET1']],
      ['vera', 'vera@example.com', ['Phones:vera-phone']],
    ]);
    const slackContact = people[1].contacts[1];
    expect(await err(api.request('DELETE', `/api/users/${vera.id}/contacts/${slackContact.id}`))).toMatchObject({ code: 'CONTACT_NOT_FOUND' });
    expect((await api.request('DELETE', `/api/users/${piet.id}/contacts/${slackContact.id}`)).status).toBe(204);
    expect((await api.get(`/api/users/${piet.id}/contacts`)).json).toHaveLength(1);
    expect(await err(api.get('/api/users/nobody'))).toEqual({ code: 'USER_NOT_FOUND', message: 'no user with id nobody' });
  });

  it('schedules: validation, layers, shifts, overrides and who is on call now and next', async () => {
    const anna = await createUser(api, 'anna', 'technician', null);
    const bram = await createUser(api, 'bram', 'technician', null);
    const layer = { name: 'Weekly', userIds: [anna.id, bram.id], startDate: '2025-01-06', handoffTime: '09:00' };
    const post = (body: unknown) => api.post('/api/oncall/schedules', body);
    expect(await err(post({ name: 'P', timezone: 'Mars/Olympus', layers: [layer] }))).toEqual({
      code: 'SCHEDULE_TIMEZONE_INVALID',
      message: 'timezone: "Mars/Olympus" is not an IANA time zone such as Europe/Amsterdam',
    });
    expect(await err(post({ name: 'P', timezone: 'UTC', layers: [{ ...layer, startDate: '2025-02-30' }] }))).toEqual({
      code: 'SCHEDULE_DATE_INVALID',
      message: 'layers.0.startDate: 2025-02-30 is not a calendar date',
    });
    expect(await err(post({ name: 'P', timezone: 'UTC', layers: [{ ...layer, userIds: [anna.id, 'ghost'] }] }))).toEqual({
      code: 'SCHEDULE_USER_NOT_FOUND',
      message: 'layers.0.userIds.1: no user with id ghost',
    });
    expect(await err(post({ name: 'P', timezone: 'UTC', layers: [{ ...layer, handoffTime: '25:00' }] }))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'body.layers.0.handoffTime: must be a local time HH:MM (00:00–23:59)',
    });
    expect(
      await err(post({ name: 'P', timezone: 'UTC', layers: [{ ...layer, restrictions: [{ days: ['mon'], startTime: '08:00', endTime: '08:00' }] }] })),
    ).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'body.layers.0.restrictions.0.endTime: startTime and endTime must differ',
    });
    const created = await post({ name: 'Primary', timezone: 'Europe/Amsterdam', layers: [layer] });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toMatchObject({ name: 'Primary', layers: [{ ...layer, rotationDays: 7, restrictions: [] }] });
    expect(await err(post({ name: 'primary', timezone: 'UTC', layers: [layer] }))).toMatchObject({ code: 'SCHEDULE_EXISTS' });
    const id = created.json.id as string;

    // PATCH changes only what it names.
    const renamed = await api.request('PATCH', `/api/oncall/schedules/${id}`, { name: 'Primary rota' });
    expect(renamed.json).toMatchObject({ name: 'Primary rota', timezone: 'Europe/Amsterdam', layers: [{ userIds: [anna.id, bram.id] }] });

    const now = (await api.get('/api/oncall/now')).json;
    expect(now.schedules).toHaveLength(1);
    const { current, next } = now.schedules[0];
    expect([current.username, next.username].sort()).toEqual(['anna', 'bram']);
    expect(next.startsAtMs).toBe(current.endsAtMs);
    expect(next.endsAtMs - next.startsAtMs).toBeGreaterThanOrEqual(7 * 24 * HOUR - HOUR); // a week, give or take DST

    // "I take tonight": an override beats the rotation.
    const from = Date.now() - HOUR;
    const ov = (body: unknown) => api.post(`/api/oncall/schedules/${id}/overrides`, body);
    expect(await err(ov({ userId: anna.id, startsAtMs: from, endsAtMs: from }))).toEqual({
      code: 'OVERRIDE_INVERTED',
      message: 'endsAtMs must be after startsAtMs',
    });
    expect(await err(ov({ userId: anna.id, startsAtMs: from, endsAtMs: from + 40 * 24 * HOUR }))).toMatchObject({ code: 'OVERRIDE_TOO_LONG' });
    expect(await err(ov({ userId: 'ghost', startsAtMs: from, endsAtMs: from + HOUR }))).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await err(ov({ userId: anna.id, startsAtMs: from - 3 * HOUR, endsAtMs: from - 2 * HOUR }))).toMatchObject({ code: 'OVERRIDE_IN_PAST' });
    const other = current.username === 'anna' ? bram : anna;
    const override = await ov({ userId: other.id, startsAtMs: from, endsAtMs: from + 3 * HOUR, note: 'swap for the dentist' });
    expect(override.status, override.text).toBe(201);
    expect(override.json).toMatchObject({ username: other.username, note: 'swap for the dentist', createdBy: 'admin' });
    const during = (await api.get('/api/oncall/now')).json.schedules[0];
    expect(during.current).toMatchObject({ userId: other.id, source: 'override', endsAtMs: from + 3 * HOUR });
    expect(during.next).toMatchObject({ userId: current.userId, startsAtMs: from + 3 * HOUR });
    expect((await api.get(`/api/oncall/schedules/${id}/overrides`)).json).toHaveLength(1);

    const shifts = (await api.get(`/api/oncall/schedules/${id}/shifts?from=${from}&to=${from + 4 * HOUR}`)).json;
    expect(shifts.map((s: { username: string; source: string }) => `${s.username}:${s.source}`)).toEqual([
      `${other.username}:override`,
      `${current.username}:layer`,
    ]);
    expect(await err(api.get(`/api/oncall/schedules/${id}/shifts?from=${from}&to=${from - 1}`))).toMatchObject({ code: 'INVALID_RANGE' });

    expect((await api.request('DELETE', `/api/oncall/schedules/${id}/overrides/${override.json.id}`)).status).toBe(204);
    expect((await api.get('/api/oncall/now')).json.schedules[0].current.userId).toBe(current.userId);

    // Viewers read; a schedule a policy pages cannot be deleted.
    await createUser(api, 'vera', 'viewer', null);
    const asVera = await loginAs('vera');
    expect((await asVera.get('/api/oncall/schedules')).status).toBe(200);
    expect((await asVera.post('/api/oncall/schedules', { name: 'X', timezone: 'UTC', layers: [layer] })).status).toBe(403);
    const policy = await api.post('/api/escalation-policies', { name: 'P', levels: [{ afterMs: 0, targets: [{ type: 'schedule', scheduleId: id }] }] });
    expect(await err(api.request('DELETE', `/api/oncall/schedules/${id}`))).toEqual({
      code: 'SCHEDULE_IN_USE',
      message: 'escalation policy "P" pages this schedule; change them first',
    });
    expect((await api.request('DELETE', `/api/escalation-policies/${policy.json.id}`)).status).toBe(204);
    expect((await api.request('DELETE', `/api/oncall/schedules/${id}`)).status).toBe(204);
    expect(await err(api.get(`/api/oncall/schedules/${id}`))).toMatchObject({ code: 'SCHEDULE_NOT_FOUND' });
  });

  it('escalation policies: ordered levels, existing targets, one default, clients assigned', async () => {
    const piet = await createUser(api, 'piet', 'technician', 'piet@example.com');
    const mail = (await api.post('/api/channels', { type: 'email', name: 'Mail', config: { host: 'smtp.example.com', from: 'a@example.com' } })).json;
    const teams = (await api.post('/api/channels', { type: 'teams', name: 'Teams', config: { webhookUrl: 'https://example.webhook.office.com/x' } })).json;
    const acme = await enrollTestDevice(api, { clientName: 'Acme', contract: 'monthly' });
    const post = (body: unknown) => api.post('/api/escalation-policies', body);
    const user = { type: 'user', userId: piet.id };
    expect(
      await err(
        post({
          name: 'P',
          levels: [
            { afterMs: 600_000, targets: [user] },
            { afterMs: 600_000, targets: [user] },
          ],
        }),
      ),
    ).toEqual({
      code: 'POLICY_LEVELS_UNORDERED',
      message: "levels.1.afterMs: must be later than level 1's (600000 ms)",
    });
    expect(await err(post({ name: 'P', levels: [{ afterMs: 0, targets: [{ type: 'schedule', scheduleId: 'ghost' }] }] }))).toEqual({
      code: 'POLICY_TARGET_NOT_FOUND',
      message: 'levels.0.targets.0: no schedule with id ghost',
    });
    expect(await err(post({ name: 'P', levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: mail.id }] }] }))).toEqual({
      code: 'POLICY_TARGET_INVALID',
      message: 'levels.0.targets.0: channel "Mail" (email) addresses people, not a room; page users or schedules through it instead',
    });
    expect(await err(post({ name: 'P', levels: [{ afterMs: 0, targets: [{ type: 'team', id: 'x' }] }] }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await err(post({ name: 'P', levels: [{ afterMs: 0, targets: [user] }], clientIds: ['ghost'] }))).toEqual({
      code: 'POLICY_CLIENT_NOT_FOUND',
      message: 'clientIds.0: no client with id ghost',
    });
    expect(await err(post({ name: 'P', levels: [{ afterMs: 0, targets: [user] }], repeatAfterMs: 1000 }))).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^body\.repeatAfterMs: /),
    });

    const std = await post({
      name: 'Standard',
      isDefault: true,
      repeat: 'until-acknowledged',
      levels: [
        { afterMs: 0, targets: [user, { type: 'channel', channelId: teams.id }] },
        { afterMs: 900_000, targets: [{ type: 'role', role: 'admin' }] },
      ],
    });
    expect(std.status, std.text).toBe(201);
    expect(std.json).toMatchObject({ name: 'Standard', isDefault: true, repeat: 'until-acknowledged', repeatAfterMs: 600_000, clientIds: [] });
    expect(await err(post({ name: 'standard', levels: [{ afterMs: 0, targets: [user] }] }))).toMatchObject({ code: 'POLICY_EXISTS' });
    const vip = await post({ name: 'VIP', isDefault: true, levels: [{ afterMs: 0, targets: [user] }], clientIds: [acme.clientId] });
    expect(vip.json).toMatchObject({ isDefault: true, clientIds: [acme.clientId], repeat: 0 });
    // One default at a time; PATCH touches only what it names.
    expect((await api.get(`/api/escalation-policies/${std.json.id}`)).json).toMatchObject({ isDefault: false, repeat: 'until-acknowledged' });
    const renamed = await api.request('PATCH', `/api/escalation-policies/${vip.json.id}`, { name: 'VIP clients' });
    expect(renamed.json).toMatchObject({ name: 'VIP clients', isDefault: true, clientIds: [acme.clientId], levels: [{ afterMs: 0 }] });
    expect(t.server.ctx.notify.oncall.policyFor(acme.clientId)?.name).toBe('VIP clients');
    expect(t.server.ctx.notify.oncall.policyFor('another-client')?.name).toBe('VIP clients');
    await api.request('PATCH', `/api/escalation-policies/${std.json.id}`, { isDefault: true });
    expect(t.server.ctx.notify.oncall.policyFor('another-client')?.name).toBe('Standard');
    expect(t.server.ctx.notify.oncall.policyFor(acme.clientId)?.name).toBe('VIP clients');

    expect(await err(api.request('DELETE', `/api/channels/${teams.id}`))).toEqual({
      code: 'CHANNEL_IN_USE',
      message: 'escalation policy "Standard" pages this channel; change them first',
    });
    expect((await api.request('DELETE', `/api/channels/${mail.id}`)).status).toBe(204);
    expect((await api.get('/api/escalation-policies')).json.map((p: { name: string }) => p.name)).toEqual(['Standard', 'VIP clients']);
  });
});
