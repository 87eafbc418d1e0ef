/**
 * Maintenance jobs end to end on a real server and a real agent (its journal in a temp dir, the
 * real health.check task): a technician's request over REST, checked, signed with the server's
 * key file, sent to the connected agent, run once, its result stored and audited. Running a task
 * needs a person with a second factor (TOTP from otplib, as an authenticator app makes it); bad
 * requests are refused with precise codes and nothing is made; a job for an offline device waits
 * for it and runs once when it connects, also across agent restarts; one whose window passes first
 * expires and never runs; break-fix devices need an incident.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'otplib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../agent/index.js';
import { enrolSecondFactor } from '../helpers/job-agent.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { manualClock } from '../helpers/receivers.js';
import { createUser } from '../helpers/oncall-setup.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('maintenance jobs through the server', () => {
  let t: TestServer;
  let api: ApiClient;
  let dir: string;
  let clock: ReturnType<typeof manualClock>;
  let secret: string;
  const agents: Agent[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-job-server-'));
    clock = manualClock(Date.now());
    t = await startTestServer({ clock });
    api = new ApiClient(t.url);
    await api.login();
    clock.advance(30_000);
    secret = await enrolSecondFactor(api, clock.now());
    clock.advance(30_000);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh second factor: each code is accepted once, so every request moves the clock a step. */
  async function code(): Promise<string> {
    clock.advance(30_000);
    return generate({ secret, epoch: Math.floor(clock.now() / 1000) });
  }
  async function device(clientName = 'Jansen Accountants', contract: 'monthly' | 'break-fix' = 'monthly', hostname = 'jansen-srv01') {
    return enrollTestDevice(api, { clientName, contract, hostname, machineId: `${hostname}-machine` });
  }
  function agentFor(dev: { deviceId: string; deviceToken: string }, name = 'a'): Agent {
    const agent = createAgent({
      config: {
        serverUrl: t.url,
        deviceId: dev.deviceId,
        deviceToken: dev.deviceToken,
        intervalMs: 60_000,
        stateDir: path.join(dir, name),
        tasksFile: path.join(dir, `${name}-tasks.json`),
      },
      logger: createTestLogger().logger,
      collectors: [],
      connection: { backoff: { baseMs: 20, capMs: 200 } },
      flushTimeoutMs: 100,
    });
    agents.push(agent);
    return agent;
  }
  async function until(what: string, pred: () => Promise<boolean>, ms = 20_000) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await pred()) return;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }
  const job = async (id: string) =>
    (await api.get(`/api/jobs/${id}`)).json as { state: string; result: Record<string, unknown> | null; sentAtMs: number | null };
  const results = async () =>
    ((await api.get('/api/audit?limit=200')).json.entries as { action: string; summary: string }[])
      .filter((e) => e.action === 'job.result')
      .map((e) => e.summary);

  it('runs a health check on a connected agent once, with its result stored and audited', async () => {
    const dev = await device();
    const agent = agentFor(dev);
    await agent.start();
    await until('the agent to connect', async () => t.server.gateway.isConnected(dev.deviceId));

    const created = await api.post('/api/jobs', { deviceIds: [dev.deviceId], task: 'health.check', notBeforeMs: Date.now() - 1_000, code: await code() });
    expect(created.status, created.text).toBe(201);
    const id = created.json[0].id as string;
    expect(created.json[0]).toMatchObject({ task: 'health.check', deviceId: dev.deviceId, createdBy: 'admin' });
    await until('the job to finish', async () => ['done', 'failed', 'refused'].includes((await job(id)).state));
    const done = await job(id);
    expect(done.state).toBe('done');
    expect(done.result).toMatchObject({ filesystems: expect.any(Array) });
    expect(await results()).toEqual([expect.stringMatching(/^health\.check on \S+: done in \d+\.\d s$/)]);
    const audit = ((await api.get('/api/audit?limit=50')).json.entries as { action: string; summary: string }[]).find((e) => e.action === 'job.create')!;
    expect(audit.summary).toBe('asked for health.check on jansen-srv01');

    // A reconnect does not run it again.
    await agent.stop();
    agents.pop();
    const again = agentFor(dev);
    await again.start();
    await until('the agent to reconnect', async () => t.server.gateway.isConnected(dev.deviceId));
    await sleep(500);
    expect(await results()).toHaveLength(1);
  });

  it('refuses what it must with precise codes, and makes nothing', async () => {
    const dev = await device();
    const bf = await device('Bakkerij de Vries', 'break-fix', 'devries-kassa');
    const refusals: [Record<string, unknown>, number, string, string][] = [
      [{ deviceIds: [dev.deviceId], task: 'health.check' }, 403, 'SECOND_FACTOR_REQUIRED', 'give the 6-digit code'],
      [{ deviceIds: [dev.deviceId], task: 'health.check', code: '000000' }, 403, 'SECOND_FACTOR_WRONG', 'wrong code'],
      [{ deviceIds: [dev.deviceId], task: 'shell', code: 'fresh' }, 400, 'JOB_TASK_UNKNOWN', 'is not in the catalogue'],
      [{ deviceIds: [dev.deviceId], task: 'service.restart', params: { service: 'x; rm -rf /' }, code: 'fresh' }, 400, 'JOB_PARAMS_INVALID', 'params.service:'],
      [{ deviceIds: [dev.deviceId], task: 'cleanup', params: { targets: ['temp'], extra: 1 }, code: 'fresh' }, 400, 'JOB_PARAMS_INVALID', 'params:'],
      [
        { deviceIds: [dev.deviceId], task: 'health.check', notAfterMs: Date.now() - 1, notBeforeMs: Date.now() - 10_000, code: 'fresh' },
        400,
        'JOB_WINDOW_INVALID',
        'in the past',
      ],
      [{ deviceIds: ['no-such-device'], task: 'health.check', code: 'fresh' }, 404, 'DEVICE_NOT_FOUND', 'no device with id no-such-device'],
      [{ deviceIds: [bf.deviceId], task: 'health.check', code: 'fresh' }, 400, 'INCIDENT_REQUIRED', 'break-fix client "Bakkerij de Vries"'],
    ];
    for (const [body, status, errorCode, text] of refusals) {
      const r = await api.post('/api/jobs', { ...body, ...(body.code === 'fresh' ? { code: await code() } : {}) });
      expect([r.status, r.json.error.code], JSON.stringify(body)).toEqual([status, errorCode]);
      expect(r.json.error.message).toContain(text);
    }
    // A technician without two-factor login, and a viewer, run nothing either.
    await createUser(api, 'piet', 'technician', null);
    await createUser(api, 'vera', 'viewer', null);
    const piet = new ApiClient(t.url);
    await piet.login('piet', 'piet-password-1');
    expect((await piet.post('/api/jobs', { deviceIds: [dev.deviceId], task: 'health.check' })).json.error.code).toBe('SECOND_FACTOR_REQUIRED');
    const vera = new ApiClient(t.url);
    await vera.login('vera', 'vera-password-1');
    expect((await vera.post('/api/jobs', { deviceIds: [dev.deviceId], task: 'health.check' })).status).toBe(403);
    expect((await api.get('/api/jobs')).json).toEqual([]);
  });

  it('a job for an offline device waits and runs once when it connects; one whose window passes expires', async () => {
    const dev = await device();
    const waiting = await api.post('/api/jobs', { deviceIds: [dev.deviceId], task: 'health.check', notBeforeMs: Date.now() - 1_000, code: await code() });
    expect(waiting.status, waiting.text).toBe(201);
    const id = waiting.json[0].id as string;
    expect(await job(id)).toMatchObject({ state: 'queued', sentAtMs: null });
    const short = await api.post('/api/jobs', {
      deviceIds: [dev.deviceId],
      task: 'health.check',
      notBeforeMs: Date.now() - 1_000,
      notAfterMs: clock.now() + 60_000,
      code: await code(),
    });
    const shortId = short.json[0].id as string;
    clock.advance(61_000);
    expect(t.server.ctx.jobs.expireDue()).toBe(1);
    expect((await job(shortId)).state).toBe('expired');

    const agent = agentFor(dev);
    await agent.start();
    await until('the waiting job to finish', async () => (await job(id)).state === 'done');
    await sleep(300);
    expect((await job(shortId)).state).toBe('expired');
    expect(await results()).toHaveLength(1);
    // An agent restart (same journal) and a server-side resend do not run it twice.
    await agent.stop();
    agents.pop();
    await agentFor(dev).start();
    await until('the agent to reconnect', async () => t.server.gateway.isConnected(dev.deviceId));
    await sleep(500);
    expect(await results()).toHaveLength(1);
  });

  it('reports patch compliance per device from the results of its jobs', async () => {
    const ids: string[] = [];
    for (const h of ['jansen-pc01', 'jansen-pc02', 'jansen-pc03', 'jansen-pc04']) ids.push((await device('Jansen Accountants', 'monthly', h)).deviceId);
    const svc = t.server.ctx.jobs;
    // Statuses as an agent sends them (the wire path is the other tests'); the service stores them.
    const finish = (deviceId: string, task: string, params: Record<string, unknown>, state: 'done' | 'failed', result: Record<string, unknown> = {}) => {
      const [j] = svc.create({ id: null, name: 'admin' }, { deviceIds: [deviceId], task, params, notBeforeMs: Date.now() - 1_000 });
      expect(svc.onStatus(deviceId, { type: 'jobStatus', v: 1, jobId: j!.id, state, tsMs: Date.now(), exitCode: state === 'done' ? 0 : 100, result })).toBe(
        true,
      );
    };
    finish(ids[0]!, 'updates.scan', {}, 'done', { pendingCount: 4, securityCount: 0 });
    finish(ids[1]!, 'updates.scan', {}, 'done', { pendingCount: 6, securityCount: 2 });
    finish(ids[2]!, 'updates.scan', {}, 'done', { pendingCount: 1, securityCount: 1 });
    finish(ids[2]!, 'updates.install', { scope: 'security' }, 'failed');
    const report = (await api.get('/api/jobs/compliance')).json as {
      devices: { hostname: string; status: string; pendingUpdates: number | null; lastInstallState: string | null }[];
      totals: Record<string, number>;
    };
    expect(report.devices.map((d) => `${d.hostname} ${d.status} ${d.pendingUpdates} ${d.lastInstallState}`)).toEqual([
      'jansen-pc01 ok 4 null',
      'jansen-pc02 security-pending 6 null',
      'jansen-pc03 failing 1 failed',
      'jansen-pc04 not-scanned null null',
    ]);
    expect(report.totals).toEqual({ devices: 4, ok: 1, notScanned: 1, securityPending: 1, failing: 1 });
  });

  it('a break-fix task runs for an incident and books its time there', async () => {
    const bf = await device('Bakkerij de Vries', 'break-fix', 'devries-kassa');
    const incident = await api.post('/api/incidents', { clientId: bf.clientId, deviceId: bf.deviceId, title: 'Till PC slow', severity: 'warning' });
    expect(incident.status, incident.text).toBe(201);
    await agentFor(bf, 'bf').start();
    await until('the agent to connect', async () => t.server.gateway.isConnected(bf.deviceId));
    const created = await api.post('/api/jobs', {
      deviceIds: [bf.deviceId],
      task: 'health.check',
      incidentId: incident.json.id,
      notBeforeMs: Date.now() - 1_000,
      code: await code(),
    });
    expect(created.status, created.text).toBe(201);
    await until('the job to finish', async () => (await job(created.json[0].id)).state === 'done');
    const entries = (await api.get(`/api/incidents/${incident.json.id}/time-entries`)).json as { minutes: number; technician: string; note: string }[];
    expect(entries).toEqual([
      expect.objectContaining({ minutes: 1, technician: 'admin', note: expect.stringMatching(/^maintenance: health\.check on \S+ \(done\)$/) }),
    ]);
    const trail = ((await api.get(`/api/incidents/${incident.json.id}`)).json.events as { action: string }[]).map((e) => e.action);
    expect(trail).toContain('time-booked');
  });

  it('failed maintenance raises an alert (monthly) or an incident (break-fix) through the rules, and clears on success', async () => {
    const monthly = await device('Jansen Accountants', 'monthly', 'jansen-srv02');
    const bf = await device('Garage Visser', 'break-fix', 'visser-werkplaats');
    const incident = (await api.post('/api/incidents', { clientId: bf.clientId, deviceId: bf.deviceId, title: 'Updates', severity: 'warning' })).json;
    const svc = t.server.ctx.jobs;
    // Statuses as an agent sends them (the wire path is the first tests').
    const run = (deviceId: string, state: 'done' | 'failed', incidentId?: string) => {
      const [j] = svc.create(
        { id: null, name: 'admin' },
        { deviceIds: [deviceId], task: 'updates.install', params: { scope: 'security' }, notBeforeMs: Date.now() - 1_000, incidentId },
      );
      svc.onStatus(deviceId, {
        type: 'jobStatus',
        v: 1,
        jobId: j!.id,
        state,
        tsMs: Date.now(),
        exitCode: state === 'done' ? 0 : 100,
        ...(state === 'failed' ? { code: 'TASK_FAILED', message: 'apt-get exited with 100' } : {}),
      });
    };
    run(monthly.deviceId, 'failed');
    const alerts = (await api.get(`/api/alerts?device=${monthly.deviceId}&state=open`)).json as { ruleName: string; summary: string; id: string }[];
    expect(alerts.map((a) => `${a.ruleName}: ${a.summary}`)).toEqual(['Maintenance failed: Maintenance task updates.install failed']);
    run(monthly.deviceId, 'done');
    expect((await api.get(`/api/alerts/${alerts[0]!.id}`)).json.state).toBe('resolved');

    run(bf.deviceId, 'failed', incident.id);
    const incidents = (await api.get(`/api/incidents?device=${bf.deviceId}&state=open`)).json as { title: string; source: string }[];
    expect(incidents.map((i) => `${i.source}: ${i.title}`).sort()).toEqual([
      'manual: Updates',
      'rule: Maintenance failed: Maintenance task updates.install failed',
    ]);
    expect((await api.get(`/api/alerts?device=${bf.deviceId}`)).json).toEqual([]); // break-fix never pages
  });

  it('a job made before a server restart runs once after it', async () => {
    const dev = await device();
    const waiting = await api.post('/api/jobs', { deviceIds: [dev.deviceId], task: 'health.check', notBeforeMs: Date.now() - 1_000, code: await code() });
    expect(waiting.status, waiting.text).toBe(201);
    const id = waiting.json[0].id as string;
    // The server stops with the job queued and starts again on the same data.
    const dataDir = t.dataDir;
    const port = Number(new URL(t.url).port);
    await t.server.close();
    t = await startTestServer({ clock, dataDir }, port);
    expect(t.server.ctx.jobs.get(id).state).toBe('queued');
    const agent = agentFor(dev, 'restart');
    await agent.start();
    await until('the job to finish after the restart', async () => t.server.ctx.jobs.get(id).state === 'done');
    await agent.stop();
    agents.pop();
    await agentFor(dev, 'restart').start();
    await until('the agent to reconnect', async () => t.server.gateway.isConnected(dev.deviceId));
    await sleep(500);
    const results = t.server.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'job.result' AND entity_id = ?").get(id) as { n: number };
    expect(results.n).toBe(1);
    await t.close();
    t = await startTestServer(); // afterEach closes this one; the restarted data dir goes here
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
