/**
 * The site probe end to end: the real agent as the probe of its client, the real server (SQLite
 * file, real ws), probed websites served by loopback HTTP(S) servers. A failing check alerts a
 * monthly client and logs an incident for a break-fix client; a certificate expiring in 5 days
 * raises both certificate rules; a probe cannot write devices not assigned to it; a probe that
 * goes away leaves its devices "unknown" and pages once, for itself.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Collector } from '../../agent/collectors/types.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';
import { makeTestCa } from './test-ca.js';
import { SNMPD, printerValues, startSnmpd, type TestSnmpd } from './snmpd.js';

let dir: string;
let t: TestServer;
let api: ApiClient;
const agents: Agent[] = [];
const raw: TestAgent[] = [];
const servers: http.Server[] = [];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-probe-e2e-'));
  t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false, ruleTickIntervalMs: 100 });
  api = new ApiClient(t.url);
  await api.login();
});
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const a of raw.splice(0)) a.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, read: () => Promise<T>, isDone: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (isDone(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const idle: Collector = { name: 'idle', init: async () => true, collect: async () => [{ name: 'cpu.loadPct', value: 5 }] };

function startProbeAgent(name: string, cfg: { deviceId: string; deviceToken: string }): Agent {
  const configPath = path.join(dir, name, 'agent.json');
  saveAgentConfig(configPath, { serverUrl: t.url, ...cfg, intervalMs: 1_000 });
  const agent = createAgent({
    config: loadAgentConfig(configPath),
    configPath,
    logger: createTestLogger().logger,
    collectors: [idle],
    connection: { backoff: { baseMs: 50, capMs: 400 }, reconnectSpreadMs: 200 },
    flushTimeoutMs: 1_000,
  });
  agents.push(agent);
  return agent;
}

async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return (server.address() as AddressInfo).port;
}

describe('site probe end to end', () => {
  it('routes a failing check by contract, refuses foreign targets, and shows unknown with one page when the probe goes away', async () => {
    let siteStatus = 200;
    const site = `http://127.0.0.1:${await listen(http.createServer((_q, s) => void s.writeHead(siteStatus).end('Welkom')))}/`;
    const ca = makeTestCa(dir);
    const cert = ca.issue('shop', 5);
    const tlsPort = await listen(https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_q, s) => s.end()));

    // Pages go to a webhook, so what they say can be read.
    const hookPort = await listen(http.createServer((q, s) => void q.resume().on('end', () => s.writeHead(200).end())));
    const hook = await api.post('/api/channels', {
      type: 'webhook',
      name: 'On-call',
      config: { url: `http://127.0.0.1:${hookPort}/hook`, secret: 'hook-secret-0123456789' },
    });
    expect(hook.status).toBe(201);
    await api.post('/api/escalation-policies', {
      name: 'Std',
      isDefault: true,
      levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: hook.json.id }] }],
    });

    const monthly = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
    const breakFix = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
    const probeA = startProbeAgent('jansen', monthly);
    const probeB = startProbeAgent('devries', breakFix);
    await Promise.all([probeA.start(), probeB.start()]);
    await until(
      'both probes connected',
      () => api.get('/api/devices'),
      (r) => r.json.filter((d: { isOnline: boolean }) => d.isOnline).length === 2,
    );

    // A probe of another client is refused.
    const foreign = await api.post(`/api/clients/${monthly.clientId}/probed-devices`, {
      name: 'x',
      kind: 'website',
      probeDeviceId: breakFix.deviceId,
      checks: [{ id: 'web', type: 'http', url: site }],
    });
    expect(foreign.status).toBe(400);
    // The device is named by its enrolled hostname until the agent's hello (which carries this
    // machine's hostname) is written with the next ingest batch.
    expect(foreign.json.error.code).toBe('PROBE_OTHER_CLIENT');
    expect(
      [`devries-pc`, os.hostname()].map((h) => `body.probeDeviceId: ${h} belongs to another client; a probe checks only its own client's devices`),
    ).toContain(foreign.json.error.message);

    const webA = await api.post(`/api/clients/${monthly.clientId}/probed-devices`, {
      name: 'jansen-website',
      kind: 'website',
      probeDeviceId: monthly.deviceId,
      intervalMs: 1_000,
      checks: [
        { id: 'web', type: 'http', url: site, keyword: 'Welkom' },
        { id: 'cert', type: 'tls', host: '127.0.0.1', port: tlsPort, caPem: ca.caPem },
      ],
    });
    expect(webA.status).toBe(201);
    expect(webA.json).toMatchObject({ kind: 'website', probeDeviceId: monthly.deviceId, isProbeOnline: true, intervalMs: 1_000 });
    // The enrolled hostname until the probe's hello (this machine's hostname) is written.
    expect(['jansen-pc', os.hostname()]).toContain(webA.json.probeHostname);
    const webB = await api.post(`/api/clients/${breakFix.clientId}/probed-devices`, {
      name: 'devries-website',
      kind: 'website',
      probeDeviceId: breakFix.deviceId,
      intervalMs: 1_000,
      checks: [{ id: 'web', type: 'http', url: site }],
    });
    expect(webB.status).toBe(201);
    const a = webA.json.deviceId as string;
    const b = webB.json.deviceId as string;

    // The probes got their targets pushed (config frame) and report them.
    const probed = await until(
      'check results',
      () => api.get(`/api/devices/${a}/probe`),
      (r) => r.json.results.length === 2,
    );
    expect(probed.json.results).toMatchObject([
      { checkId: 'cert', state: 'ok', message: expect.stringMatching(/^certificate of shop expires in 5 days/) },
      { checkId: 'web', state: 'ok', message: expect.stringMatching(new RegExp(`^${site} answers 200 in`)) },
    ]);
    const detail = (await api.get(`/api/devices/${a}`)).json;
    expect(detail).toMatchObject({
      hostname: 'jansen-website',
      kind: 'website',
      probeDeviceId: monthly.deviceId,
      isOnline: true,
      isStatusUnknown: false,
      clientName: 'Jansen Accountants',
    });
    expect(detail.latest['check.isUp{check=web}']).toBe(1);
    expect(detail.latest['http.hasKeyword{check=web}']).toBe(1);

    // 5 days left: both certificate rules, on the monthly client's website.
    const certAlerts = await until(
      'certificate alerts',
      () => api.get(`/api/alerts?state=open&client=${monthly.clientId}`),
      (r) => r.json.length === 2,
    );
    expect(
      certAlerts.json.map((x: { ruleId: string; severity: string; deviceId: string; labels: object }) => [x.ruleId, x.severity, x.deviceId, x.labels]).sort(),
    ).toEqual([
      ['default-cert-expiring', 'warning', a, { check: 'cert' }],
      ['default-cert-expiry-critical', 'critical', a, { check: 'cert' }],
    ]);

    // The website starts failing: an alert for the monthly client, an incident for the break-fix one.
    siteStatus = 500;
    const failing = await until(
      'check-failing alert',
      () => api.get(`/api/alerts?state=open&client=${monthly.clientId}`),
      (r) => r.json.some((x: { ruleId: string }) => x.ruleId === 'default-check-failing'),
    );
    expect(failing.json.find((x: { ruleId: string }) => x.ruleId === 'default-check-failing')).toMatchObject({
      deviceId: a,
      hostname: 'jansen-website',
      severity: 'critical',
      labels: { check: 'web' },
      state: 'firing',
    });
    const incidents = await until(
      'incident',
      () => api.get(`/api/incidents?client=${breakFix.clientId}`),
      (r) => r.json.length === 1,
    );
    expect(incidents.json[0]).toMatchObject({ deviceId: b, hostname: 'devries-website', state: 'open', source: 'rule' });
    expect((await api.get(`/api/alerts?client=${breakFix.clientId}`)).json).toEqual([]);
    const words = await until(
      'failed result',
      () => api.get(`/api/devices/${b}/probe`),
      (r) => r.json.results[0]?.state === 'failed',
    );
    expect(words.json.results[0].message).toBe(`${site}: status 500, expected 200–399`);

    // Another device of the same client is not the website's probe: refused, nothing stored.
    const other = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-laptop' });
    const intruder = await startTestAgent(t.url, other.deviceToken, { hostname: 'jansen-laptop' });
    raw.push(intruder);
    intruder.ws.send({
      type: 'report',
      v: 1,
      seq: 1,
      tsMs: Date.now(),
      targetDeviceId: a,
      metrics: [{ name: 'check.isUp', labels: { check: 'web' }, value: 1 }],
    });
    expect(await intruder.ws.next((m) => m.type === 'error' || m.type === 'ack')).toEqual({
      type: 'error',
      v: 1,
      code: 'PROBE_TARGET_FORBIDDEN',
      message: `device ${a} is not a probed device assigned to this agent`,
      seq: 1,
      retryable: false,
    });

    // Fixed: alert resolved, incident closed.
    siteStatus = 200;
    const failingId = failing.json.find((x: { ruleId: string }) => x.ruleId === 'default-check-failing').id as string;
    await until(
      'alert resolved',
      () => api.get(`/api/alerts/${failingId}`),
      (r) => r.json.state === 'resolved',
    );
    await until(
      'incident closed',
      () => api.get(`/api/incidents/${incidents.json[0].id}`),
      (r) => r.json.state === 'closed',
    );

    // The monthly probe goes away: its website is unknown (not down), and the one page is the probe's.
    await probeA.stop();
    const unknown = await until(
      'website unknown',
      () => api.get(`/api/devices/${a}`),
      (r) => r.json.isStatusUnknown === true,
    );
    expect(unknown.json).toMatchObject({ isOnline: false, isStatusUnknown: true });
    expect((await api.get(`/api/devices/${a}/probe`)).json.isProbeOnline).toBe(false);
    const offline = await until(
      'probe offline alert',
      () => api.get(`/api/alerts?state=open&client=${monthly.clientId}`),
      (r) => r.json.some((x: { ruleId: string }) => x.ruleId === 'default-offline'),
    );
    // Well past the website's own 3 intervals: still no alert of its own.
    await new Promise((r) => setTimeout(r, 1_500));
    const open = (await api.get(`/api/alerts?state=open&client=${monthly.clientId}`)).json as { ruleId: string; deviceId: string; id: string }[];
    expect(open.filter((x) => x.ruleId === 'default-offline').map((x) => x.deviceId)).toEqual([monthly.deviceId]);
    expect(
      open
        .filter((x) => x.deviceId === a)
        .map((x) => x.ruleId)
        .sort(),
    ).toEqual(['default-cert-expiring', 'default-cert-expiry-critical']);
    const offlineId = offline.json.find((x: { ruleId: string }) => x.ruleId === 'default-offline').id as string;
    await t.server.ctx.notify.tick();
    const pagesSinceStop = t.server.ctx.alerting.outbox
      .list()
      .filter((j) => j.kind === 'alert.firing' && j.alertId !== failingId && !certAlerts.json.some((c: { id: string }) => c.id === j.alertId));
    expect(pagesSinceStop.map((j) => j.alertId)).toEqual([offlineId]);
    // The one page says the device is the site probe of the website, whose state is unknown.
    const pages = t.server.db.prepare("SELECT alert_id, message_json FROM deliveries WHERE purpose = 'page' AND kind = 'alert.firing' ORDER BY id").all() as {
      alert_id: string;
      message_json: string;
    }[];
    const earlier = new Set([failingId, ...certAlerts.json.map((c: { id: string }) => c.id)]);
    const sincePages = pages.filter((d) => !earlier.has(d.alert_id));
    expect(sincePages.map((d) => d.alert_id)).toEqual([offlineId]);
    const message = JSON.parse(sincePages[0]!.message_json) as { lines: string[]; alert: { probeOf?: unknown } };
    expect(message.lines).toContain('This device is the site probe of 1 device (jansen-website); their state is unknown until it is back.');
    expect(message.alert.probeOf).toEqual({ count: 1, hostnames: ['jansen-website'] });
    // The break-fix probe is still there: its website is known.
    expect((await api.get(`/api/devices/${b}`)).json).toMatchObject({ isOnline: true, isStatusUnknown: false });
  }, 40_000);

  it.runIf(SNMPD !== undefined || process.env.CI === 'true')(
    'toner from 40 % to 8 % alerts a monthly client and logs an incident for a break-fix client; snmpd stopped → offline',
    async () => {
      const snmpds: TestSnmpd[] = [];
      try {
        const [printerA, printerB] = await Promise.all([
          startSnmpd(path.join(dir, 'snmp-a'), printerValues({ blackPct: 40 })),
          startSnmpd(path.join(dir, 'snmp-b'), printerValues({ blackPct: 40 })),
        ]);
        snmpds.push(printerA, printerB);
        const monthly = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
        const breakFix = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
        const probeA = startProbeAgent('jansen', monthly);
        const probeB = startProbeAgent('devries', breakFix);
        await Promise.all([probeA.start(), probeB.start()]);
        const snmpCheck = (port: number) => ({
          id: 'snmp',
          type: 'snmp',
          host: '127.0.0.1',
          port,
          template: 'printer',
          version: 'v2c',
          community: 'kantoor-ro',
          timeoutMs: 500,
        });
        // The community the test's snmpd knows is "public"; start with a wrong one: said as such.
        const add = (clientId: string, probeDeviceId: string, name: string, port: number) =>
          api.post(`/api/clients/${clientId}/probed-devices`, { name, kind: 'printer', probeDeviceId, intervalMs: 1_000, checks: [snmpCheck(port)] });
        const pa = await add(monthly.clientId, monthly.deviceId, 'jansen-printer', printerA.port);
        const pb = await add(breakFix.clientId, breakFix.deviceId, 'devries-printer', printerB.port);
        expect([pa.status, pb.status]).toEqual([201, 201]);
        const a = pa.json.deviceId as string;
        const b = pb.json.deviceId as string;

        // Write-only: the API never returns the community, the database holds it sealed.
        expect(pa.json.checks).toEqual([
          { id: 'snmp', type: 'snmp', host: '127.0.0.1', port: printerA.port, template: 'printer', version: 'v2c', timeoutMs: 500 },
        ]);
        expect(pa.json.credentialChecks).toEqual(['snmp']);
        const sealed = t.server.db.prepare('SELECT sealed FROM probe_secrets WHERE device_id = ?').get(a) as { sealed: string };
        expect(sealed.sealed).toMatch(/^enc1:[A-Za-z0-9_-]+:/);
        expect(JSON.stringify(t.server.db.prepare('SELECT * FROM devices WHERE id = ?').get(a))).not.toContain('kantoor-ro');
        const missing = await api.post(`/api/clients/${monthly.clientId}/probed-devices`, {
          name: 'x',
          kind: 'printer',
          probeDeviceId: monthly.deviceId,
          checks: [{ ...snmpCheck(1), community: undefined }],
        });
        expect(missing.json).toEqual({ error: { code: 'SNMP_CREDENTIAL_MISSING', message: 'body.checks.0.community: a v2c check needs its community' } });

        const wrong = await until(
          'wrong community result',
          () => api.get(`/api/devices/${a}/probe`),
          (r) => r.json.results.length === 1,
        );
        expect(wrong.json.results[0]).toMatchObject({
          checkId: 'snmp',
          state: 'failed',
          message: `printer at 127.0.0.1:${printerA.port}: no answer — down or wrong community`,
        });
        // Fixed by a technician: PUT with the right community (the old one is replaced, never shown).
        for (const [id, port] of [
          [a, printerA.port],
          [b, printerB.port],
        ] as const) {
          const put = await api.put(`/api/devices/${id}/probe`, { checks: [{ ...snmpCheck(port), community: 'public' }] });
          expect(put.status).toBe(200);
        }
        const ok = await until(
          'toner read',
          () => api.get(`/api/devices/${a}`),
          (r) => r.json.latest['printer.tonerPct{supply=black}'] === 40,
        );
        expect(ok.json).toMatchObject({ kind: 'printer', isOnline: true });
        expect(ok.json.latest).toMatchObject({ 'printer.tonerPct{supply=cyan}': 80, 'printer.paperLevelPct{tray=tray 1}': 50, 'printer.pageCount': 12345 });
        // The wrong community had the check failing; the right one cleared it.
        expect(
          (
            await until(
              'check cleared',
              () => api.get(`/api/alerts?state=open&client=${monthly.clientId}`),
              (r) => r.json.length === 0,
            )
          ).json,
        ).toEqual([]);

        // Toner down to 8 %.
        await Promise.all([printerA.setValues(printerValues({ blackPct: 8 })), printerB.setValues(printerValues({ blackPct: 8 }))]);
        const alert = await until(
          'toner alert',
          () => api.get(`/api/alerts?state=open&client=${monthly.clientId}`),
          (r) => r.json.length === 1,
        );
        expect(alert.json[0]).toMatchObject({
          ruleId: 'default-toner-low',
          severity: 'warning',
          deviceId: a,
          hostname: 'jansen-printer',
          labels: { supply: 'black' },
          state: 'firing',
        });
        // (The wrong-community phase left a closed "check failing" incident; this is the open one.)
        const incident = await until(
          'toner incident',
          () => api.get(`/api/incidents?client=${breakFix.clientId}`),
          (r) => r.json.some((i: { state: string }) => i.state === 'open'),
        );
        expect(incident.json.filter((i: { state: string }) => i.state === 'open')).toMatchObject([
          { deviceId: b, hostname: 'devries-printer', state: 'open', source: 'rule', severity: 'warning', ruleKind: 'threshold' },
        ]);
        expect((await api.get(`/api/alerts?client=${breakFix.clientId}`)).json).toEqual([]);
        await t.server.ctx.notify.tick();
        expect(
          t.server.ctx.alerting.outbox
            .list()
            .filter((j) => j.alertId === alert.json[0].id)
            .map((j) => j.kind),
        ).toEqual(['alert.firing']);

        // The printer falls silent: offline (its check fails), while the probe stays online.
        await printerA.stop();
        const offline = await until(
          'printer offline',
          () => api.get(`/api/alerts?state=open&client=${monthly.clientId}`),
          (r) => r.json.some((x: { ruleId: string }) => x.ruleId === 'default-check-failing'),
        );
        expect(offline.json.find((x: { ruleId: string }) => x.ruleId === 'default-check-failing')).toMatchObject({
          deviceId: a,
          labels: { check: 'snmp' },
          severity: 'critical',
        });
        expect((await api.get(`/api/devices/${a}/probe`)).json.results[0]).toMatchObject({
          state: 'failed',
          message: `printer at 127.0.0.1:${printerA.port}: no answer — down or wrong community`,
        });
        // Its probe keeps reporting it (last seen stays fresh), but a printer that does not answer is not online.
        const silent = (await api.get(`/api/devices/${a}`)).json;
        expect(silent).toMatchObject({
          isOnline: false,
          isStatusUnknown: false,
          latest: expect.objectContaining({ 'check.isUp{check=snmp}': 0 }),
        });
        expect(Date.now() - silent.lastSeenMs).toBeLessThan(3_000);
        expect((await api.get('/api/devices')).json.find((d: { id: string }) => d.id === a)).toMatchObject({ isOnline: false, isStatusUnknown: false });
        // It answers again: online again.
        await printerA.restart();
        await until(
          'printer online again',
          () => api.get(`/api/devices/${a}`),
          (r) => r.json.isOnline === true,
        );
        expect((await api.get('/api/devices')).json.find((d: { id: string }) => d.id === a)).toMatchObject({ isOnline: true });
      } finally {
        for (const s of snmpds) await s.stop();
      }
    },
    60_000,
  );
});
