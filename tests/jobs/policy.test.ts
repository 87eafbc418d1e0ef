/**
 * Maintenance policies on a real server with an injected clock: "security updates every patch
 * night (01:00–04:00 Europe/Amsterdam), the pilot PC first, the rest a day later". The task runs
 * at each occurrence of the client's maintenance window, jobs valid until it ends; the rest run
 * only if no pilot job failed (else they are held, and the audit log says why); break-fix
 * clients get no policies; making one needs the second factor. Job statuses are handed to the
 * job service as an agent sends them (the wire path is job-server.test.ts's).
 */
import { generate } from 'otplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolSecondFactor } from '../helpers/job-agent.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { manualClock } from '../helpers/receivers.js';

const HOUR = 3_600_000;
// Monday 7 December 2026, 01:30 in Amsterdam (CET, UTC+1).
const MONDAY_0130 = Date.UTC(2026, 11, 7, 0, 30);

describe('maintenance policies', () => {
  let t: TestServer;
  let api: ApiClient;
  let secret: string;
  const clock = manualClock(MONDAY_0130 - 2 * HOUR);

  beforeEach(async () => {
    clock.set(MONDAY_0130 - 2 * HOUR);
    t = await startTestServer({ clock, ruleTickIntervalMs: 3_600_000, notifyTickIntervalMs: 3_600_000 });
    api = new ApiClient(t.url);
    await api.login();
    clock.advance(30_000);
    secret = await enrolSecondFactor(api, clock.now());
  });
  afterEach(async () => {
    await t.close();
  });

  async function totp(): Promise<string> {
    clock.advance(30_000);
    return generate({ secret, epoch: Math.floor(clock.now() / 1000) });
  }
  async function client(name: string, contract: 'monthly' | 'break-fix') {
    const c = await api.post('/api/clients', { name, contract, monthlyFee: 400, hourlyRate: 85, timezone: 'Europe/Amsterdam' });
    expect(c.status, c.text).toBe(201);
    return c.json.id as string;
  }
  async function patchNight(clientId: string) {
    const w = await api.post('/api/maintenance', {
      kind: 'recurring',
      name: 'Patch night',
      scope: { type: 'client', clientId },
      daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      startTime: '01:00',
      endTime: '04:00',
    });
    expect(w.status, w.text).toBe(201);
    return w.json.id as string;
  }
  // Read through the service: the clock jumps days, past the session's lifetime.
  const jobs = async () => t.server.ctx.jobs.list({ limit: 100 }).reverse();
  const finish = (deviceId: string, jobId: string, state: 'done' | 'failed') =>
    t.server.ctx.jobs.onStatus(deviceId, { type: 'jobStatus', v: 1, jobId, state, tsMs: clock.now(), exitCode: state === 'done' ? 0 : 100 });
  async function at(ms: number) {
    clock.set(ms);
    t.server.ctx.policies.tick();
  }

  it('runs the pilot ring in the window, the rest a day later, and holds the rest when a pilot fails', async () => {
    const jansen = await client('Jansen Accountants', 'monthly');
    const devs: string[] = [];
    for (const h of ['jansen-pc01', 'jansen-pc02', 'jansen-pc03'])
      devs.push((await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: h, machineId: h })).deviceId);
    const windowId = await patchNight(jansen);
    const created = await api.post('/api/maintenance-policies', {
      clientId: jansen,
      name: 'Security updates',
      task: 'updates.install',
      params: { scope: 'security' },
      windowId,
      pilotDeviceIds: [devs[0]],
      ringDelayDays: 1,
      code: await totp(),
    });
    expect(created.status, created.text).toBe(201);

    await at(MONDAY_0130 - HOUR); // 00:30: outside the window
    expect(await jobs()).toEqual([]);
    await at(MONDAY_0130); // 01:30 Monday: the pilot
    let all = await jobs();
    expect(all.map((j) => [j.deviceId, j.createdBy])).toEqual([[devs[0], 'policy "Security updates"']]);
    expect(all[0]!.notAfterMs).toBe(MONDAY_0130 + 2.5 * HOUR); // the window ends at 04:00
    await at(MONDAY_0130 + HOUR); // the same night: nothing more
    expect(await jobs()).toHaveLength(1);
    finish(devs[0]!, all[0]!.id, 'done');

    await at(MONDAY_0130 + 24 * HOUR); // Tuesday night: the rest
    all = await jobs();
    expect(
      all
        .slice(1)
        .map((j) => j.deviceId)
        .sort(),
    ).toEqual([devs[1], devs[2]].sort());

    await at(MONDAY_0130 + 48 * HOUR); // Wednesday night: the pilot again, and it fails
    all = await jobs();
    expect(all.slice(3).map((j) => j.deviceId)).toEqual([devs[0]]);
    finish(devs[0]!, all[3]!.id, 'failed');
    await at(MONDAY_0130 + 72 * HOUR); // Thursday night: the rest are held
    expect(await jobs()).toHaveLength(4);
    const audit = t.server.db.prepare("SELECT action, summary FROM audit_log WHERE action LIKE 'maintenance-policy.%' ORDER BY id DESC").all() as {
      action: string;
      summary: string;
    }[];
    expect(audit.map((e) => `${e.action}: ${e.summary}`)).toEqual([
      'maintenance-policy.run: held the rest (2 devices): 1 pilot job failed',
      'maintenance-policy.create: created maintenance policy "Security updates" for "Jansen Accountants": updates.install in window "Patch night"',
    ]);
  });

  it('refuses what cannot work, with precise codes', async () => {
    const jansen = await client('Jansen Accountants', 'monthly');
    const bakker = await client('Bakkerij de Vries', 'break-fix');
    const windowId = await patchNight(jansen);
    const otherWindow = await patchNight(bakker);
    const base = { clientId: jansen, name: 'Nightly', task: 'updates.scan', windowId };
    const refusals: [Record<string, unknown>, number, string][] = [
      [{}, 403, 'SECOND_FACTOR_REQUIRED'],
      [{ clientId: bakker, windowId: otherWindow, code: 'fresh' }, 400, 'POLICY_MONTHLY_ONLY'],
      [{ windowId: otherWindow, code: 'fresh' }, 400, 'POLICY_WINDOW_INVALID'],
      [{ ringDelayDays: 2, code: 'fresh' }, 400, 'POLICY_RING_INVALID'],
      [{ task: 'shell', code: 'fresh' }, 400, 'JOB_TASK_UNKNOWN'],
      [{ pilotDeviceIds: ['nope'], code: 'fresh' }, 400, 'POLICY_DEVICE_INVALID'],
    ];
    for (const [over, status, code] of refusals) {
      const r = await api.post('/api/maintenance-policies', { ...base, ...over, ...(over.code === 'fresh' ? { code: await totp() } : {}) });
      expect([r.status, r.json.error.code], JSON.stringify(over)).toEqual([status, code]);
    }
    expect((await api.get('/api/maintenance-policies')).json).toEqual([]);
  });

  it('auto-approves security updates and holds the others N days', async () => {
    const jansen = await client('Jansen Accountants', 'monthly');
    const deviceId = (await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-pc01', machineId: 'jansen-pc01' })).deviceId;
    const windowId = await patchNight(jansen);
    const svc = t.server.ctx.jobs;
    const scan = (updates: { name: string; isSecurity: boolean }[]) => {
      const [j] = svc.create({ id: null, name: 'admin' }, { deviceIds: [deviceId], task: 'updates.scan', params: {}, notBeforeMs: clock.now() - 1_000 });
      svc.onStatus(deviceId, { type: 'jobStatus', v: 1, jobId: j!.id, state: 'done', tsMs: clock.now(), result: { pendingCount: updates.length, updates } });
    };
    const holdOnHealth = await api.post('/api/maintenance-policies', {
      clientId: jansen,
      name: 'x',
      task: 'health.check',
      windowId,
      holdOthersDays: 3,
      code: await totp(),
    });
    expect(holdOnHealth.json.error.code).toBe('POLICY_HOLD_INVALID');
    const created = await api.post('/api/maintenance-policies', {
      clientId: jansen,
      name: 'Updates',
      task: 'updates.install',
      params: { scope: 'security' },
      windowId,
      holdOthersDays: 3,
      code: await totp(),
    });
    expect(created.status, created.text).toBe(201);
    const installs = () =>
      svc
        .list({ limit: 100 })
        .filter((j) => j.task === 'updates.install')
        .reverse()
        .map((j) => j.params);

    clock.set(MONDAY_0130 - 1.5 * HOUR); // Monday 00:00: a scan finds a security fix and a feature update
    scan([
      { name: 'openssl', isSecurity: true },
      { name: 'vim', isSecurity: false },
    ]);
    await at(MONDAY_0130); // Monday night: the security fix only
    expect(installs()).toEqual([{ scope: 'list', packages: ['openssl'] }]);
    clock.set(MONDAY_0130 + 22.5 * HOUR); // Tuesday 00:00: openssl is in; vim still pending
    scan([{ name: 'vim', isSecurity: false }]);
    await at(MONDAY_0130 + 24 * HOUR); // Tuesday night: vim is held (seen 1 day ago)
    await at(MONDAY_0130 + 48 * HOUR); // Wednesday night: still held (2 days)
    expect(installs()).toHaveLength(1);
    await at(MONDAY_0130 + 72 * HOUR); // Thursday night: 3 days out, installed
    expect(installs()).toEqual([
      { scope: 'list', packages: ['openssl'] },
      { scope: 'list', packages: ['vim'] },
    ]);
  });

  it('gives a device its own parameters when the policy overrides them', async () => {
    const jansen = await client('Jansen Accountants', 'monthly');
    const devs: string[] = [];
    for (const h of ['jansen-srv01', 'jansen-pc01'])
      devs.push((await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: h, machineId: h })).deviceId);
    const windowId = await patchNight(jansen);
    const bad = await api.post('/api/maintenance-policies', {
      clientId: jansen,
      name: 'Clean-up',
      task: 'cleanup',
      params: { targets: ['temp'] },
      windowId,
      deviceParams: { [devs[0]!]: { targets: ['everything'] } },
      code: await totp(),
    });
    expect([bad.status, bad.json.error.code]).toEqual([400, 'JOB_PARAMS_INVALID']);
    expect(bad.json.error.message).toContain(`deviceParams.${devs[0]}: params.targets.0:`);
    const ok = await api.post('/api/maintenance-policies', {
      clientId: jansen,
      name: 'Clean-up',
      task: 'cleanup',
      params: { targets: ['temp'] },
      windowId,
      deviceParams: { [devs[0]!]: { targets: ['temp', 'journal'], olderThanDays: 30 } },
      code: await totp(),
    });
    expect(ok.status, ok.text).toBe(201);
    await at(MONDAY_0130);
    const made = t.server.ctx.jobs.list({ limit: 10 }).map((j) => [j.deviceId, j.params]);
    expect(made).toEqual(
      expect.arrayContaining([
        [devs[0], { targets: ['temp', 'journal'], olderThanDays: 30 }],
        [devs[1], { targets: ['temp'] }],
      ]),
    );
    expect(made).toHaveLength(2);
  });
});
