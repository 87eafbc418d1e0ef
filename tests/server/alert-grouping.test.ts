/**
 * One page per outage, end to end: real agents over WebSockets, the real engine (offline after
 * three missed 10 s intervals), the real dispatcher and a signed webhook to a real HTTP receiver
 * on loopback. Time is a manual clock: each test says when every agent last reported.
 *
 * - ten devices of one client going offline in one engine tick: one page, one resolution;
 * - three going offline 20 s apart: a page at once, one follow-up at the end of the window, one
 *   acknowledgement for the whole group (through the link in the follow-up), one resolution;
 * - a firewall down: the devices behind it are recorded, not paged; when it is back, the one still
 *   down pages; a child paged before the firewall went down still gets its resolution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { manualClock, startHttpReceiver, type HttpReceiver } from '../helpers/receivers.js';
import { verifyWebhookSignature, type WebhookBody } from '../../server/notify/channels/webhook.js';

const SECRET = 'grouping-webhook-secret';
const S = 1_000;

describe('one page per outage, at a real webhook receiver', () => {
  let t: TestServer;
  let api: ApiClient;
  let http: HttpReceiver;
  let clock: ReturnType<typeof manualClock>;
  let dataDir: string;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    http = await startHttpReceiver();
    clock = manualClock();
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-grouping-'));
    t = await startTestServer({ dataDir, clock, notifyTickIntervalMs: 3_600_000, ruleTickIntervalMs: 3_600_000 });
    api = new ApiClient(t.url);
    await api.login();
    const hook = await api.post('/api/channels', { type: 'webhook', name: 'Ticketing', config: { url: http.url('/hook'), secret: SECRET } });
    expect(hook.status, hook.text).toBe(201);
    const policy = await api.post('/api/escalation-policies', {
      name: 'Standard',
      isDefault: true,
      levels: [{ afterMs: 0, targets: [{ type: 'channel', channelId: hook.json.id }] }],
    });
    expect(policy.status, policy.text).toBe(201);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
    await http.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Enrolls and connects `n` devices of one client; each reports once now. */
  async function devices(clientName: string, hostnames: string[]) {
    const out: { id: string; hostname: string; agent: TestAgent; clientId: string }[] = [];
    for (const hostname of hostnames) {
      const dev = await enrollTestDevice(api, { clientName, hostname, machineId: hostname });
      const agent = await startTestAgent(t.url, dev.deviceToken, { hostname });
      agents.push(agent);
      out.push({ id: dev.deviceId, hostname, agent, clientId: dev.clientId });
    }
    return out;
  }
  const report = (d: { agent: TestAgent }) => d.agent.report([{ name: 'cpu.loadPct', value: 12 }], clock.now());
  /** Moves the clock, lets the engine look at time, and runs one notification tick (sends included). */
  async function at(ms: number) {
    clock.set(ms);
    t.server.ctx.alerting.engine.tick();
    await t.server.ctx.notify.tick();
  }
  /** Every webhook body received, signature checked. */
  function received(): WebhookBody[] {
    return http.requests.map((r) => {
      const problem = verifyWebhookSignature({
        secret: SECRET,
        body: r.body,
        timestamp: r.headers['x-quarkpulse-timestamp'] as string,
        signature: r.headers['x-quarkpulse-signature'] as string,
        nowMs: clock.now(),
        toleranceMs: 3_600_000,
      });
      expect(problem).toBeNull();
      return JSON.parse(r.body) as WebhookBody;
    });
  }
  const events = () => received().map((b) => `${b.event} ${b.title}`);
  const openAlerts = async (clientId: string) =>
    (await api.get(`/api/alerts?client=${clientId}&state=open`)).json as { id: string; state: string; hostname: string }[];

  it('ten devices going offline in one tick: one page naming all ten, one resolution', async () => {
    const t0 = clock.now();
    const names = Array.from({ length: 10 }, (_, i) => `jansen-pc${String(i + 1).padStart(2, '0')}`);
    const fleet = await devices('Jansen Accountants', names);
    for (const d of fleet) await report(d);
    await at(t0 + 20 * S);
    expect(received()).toEqual([]);

    await at(t0 + 31 * S); // silent for 31 s > 3 × 10 s: all ten offline in this tick
    expect(await openAlerts(fleet[0]!.clientId)).toHaveLength(10);
    expect(events()).toEqual(['alert.firing [CRITICAL] Jansen Accountants: 10 of 10 devices offline — site or network down?']);
    const page = received()[0]!;
    expect(page.group).toMatchObject({ memberCount: 10, openCount: 10, deviceCount: 10, clientName: 'Jansen Accountants' });
    expect(page.group!.devices.map((d) => d.hostname).sort()).toEqual(names);
    for (const n of names) expect(page.text).toContain(`- ${n}: `);
    expect(page.ackUrl).toMatch(/\/ack\//);

    // The window passes: everything was in the first page, no follow-up.
    for (const s of [60, 90, 120, 300]) await at(t0 + s * S);
    expect(received()).toHaveLength(1);

    // The line is back: every agent reports, every alert resolves, one message says so.
    clock.set(t0 + 310 * S);
    for (const d of fleet) await report(d);
    await at(t0 + 311 * S);
    expect(await openAlerts(fleet[0]!.clientId)).toEqual([]);
    expect(events()).toEqual([
      'alert.firing [CRITICAL] Jansen Accountants: 10 of 10 devices offline — site or network down?',
      'alert.resolved [RESOLVED] Jansen Accountants: all 10 devices back online',
    ]);
    await at(t0 + 330 * S);
    expect(received()).toHaveLength(2);

    // The trail says what happened to each alert.
    const alerts = (await api.get(`/api/alerts?client=${fleet[0]!.clientId}`)).json as { id: string }[];
    const trails = await Promise.all(
      alerts.map(async (a) => ((await api.get(`/api/alerts/${a.id}`)).json.events as { action: string }[]).map((e) => e.action)),
    );
    expect(trails.filter((tr) => tr.includes('paged'))).toHaveLength(1);
    expect(trails.filter((tr) => tr.includes('grouped'))).toHaveLength(9);
  });

  it('three devices 20 s apart: a page at once, one follow-up, one acknowledgement for the group, one resolution', async () => {
    const t0 = clock.now();
    const fleet = await devices('Bakker Bouw', ['bakker-pc1', 'bakker-pc2', 'bakker-pc3']);
    clock.set(t0);
    await report(fleet[0]!);
    clock.set(t0 + 20 * S);
    await report(fleet[1]!);
    clock.set(t0 + 40 * S);
    await report(fleet[2]!);

    await at(t0 + 31 * S); // pc1 offline: it pages at once, as a lone alert would
    expect(events()).toEqual(['alert.firing [CRITICAL] Offline: no report for 31 s (one expected every 10 s) on bakker-pc1 (Bakker Bouw)']);
    await at(t0 + 51 * S); // pc2 joins
    await at(t0 + 71 * S); // pc3 joins
    expect(received()).toHaveLength(1);
    await at(t0 + 91 * S); // one window (60 s) after the first page: the follow-up
    expect(events().slice(1)).toEqual(['alert.firing [CRITICAL] Bakker Bouw: 3 of 3 devices offline — site or network down?']);
    const followUp = received()[1]!;
    expect(followUp.group).toMatchObject({ memberCount: 3, openCount: 3 });
    await at(t0 + 200 * S);
    expect(received()).toHaveLength(2);

    // The link in the follow-up acknowledges the whole group, once.
    const ack = await new ApiClient(t.url).request('POST', followUp.ackUrl!.slice(t.url.length));
    expect(ack.status, ack.text).toBe(200);
    expect((await openAlerts(fleet[0]!.clientId)).map((a) => a.state)).toEqual(['acknowledged', 'acknowledged', 'acknowledged']);
    await at(t0 + 201 * S);
    expect(events().slice(2)).toEqual(['alert.acknowledged [ACKNOWLEDGED] Bakker Bouw: 3 of 3 devices offline']);

    clock.set(t0 + 300 * S);
    for (const d of fleet) await report(d);
    await at(t0 + 301 * S);
    expect(events().slice(3)).toEqual(['alert.resolved [RESOLVED] Bakker Bouw: all 3 devices back online']);
    expect(received()).toHaveLength(4);
  });

  it('a firewall down holds back the pages of the devices behind it, never a resolution', async () => {
    // Grouping off, so only the dependency decides (the window is an admin setting).
    expect((await api.request('PUT', '/api/oncall/grouping', { windowSeconds: 0 })).json).toEqual({ windowSeconds: 0, isDefault: false });
    const t0 = clock.now();
    const [fw, early, c1, c2] = await devices('De Vries Advocaten', ['devries-fw01', 'devries-pc0', 'devries-pc1', 'devries-pc2']);
    for (const child of [early!, c1!, c2!]) {
      const r = await api.request('PUT', `/api/devices/${child.id}/parent`, { parentDeviceId: fw!.id });
      expect(r.status, r.text).toBe(200);
    }
    // A dependency in a circle is refused with a precise error.
    const cycle = await api.request('PUT', `/api/devices/${fw!.id}/parent`, { parentDeviceId: c1!.id });
    expect(cycle.status).toBe(400);
    expect(cycle.json.error.code).toBe('DEPENDENCY_CYCLE');

    clock.set(t0);
    await report(early!);
    clock.set(t0 + 10 * S);
    await report(fw!);
    clock.set(t0 + 20 * S);
    await report(c1!);
    await report(c2!);

    await at(t0 + 31 * S); // pc0 offline while the firewall is still up: paged
    await at(t0 + 41 * S); // the firewall offline: paged
    await at(t0 + 51 * S); // pc1, pc2 offline behind a firewall that is down: recorded, not paged
    expect(events()).toEqual([
      'alert.firing [CRITICAL] Offline: no report for 31 s (one expected every 10 s) on devries-pc0 (De Vries Advocaten)',
      'alert.firing [CRITICAL] Offline: no report for 31 s (one expected every 10 s) on devries-fw01 (De Vries Advocaten)',
    ]);
    const open = await openAlerts(fw!.clientId);
    expect(open.map((a) => a.hostname).sort()).toEqual(['devries-fw01', 'devries-pc0', 'devries-pc1', 'devries-pc2']);
    const held = open.find((a) => a.hostname === 'devries-pc1')!;
    const trail = (await api.get(`/api/alerts/${held.id}`)).json.events as { action: string; detail: string | null }[];
    expect(trail.map((e) => e.action)).toEqual(['fired', 'suppressed']);
    expect(trail[1]!.detail).toContain('depends on devries-fw01, which is down');

    // The firewall and pc1 are back; pc2 is still down. The firewall's resolution says what it held
    // back; a minute later (agents behind it reconnect meanwhile) pc2, still down, pages.
    clock.set(t0 + 120 * S);
    await report(fw!);
    await report(c1!);
    await at(t0 + 121 * S);
    expect(events().slice(2)).toEqual(['alert.resolved [RESOLVED] Offline: no report for 31 s (one expected every 10 s) on devries-fw01 (De Vries Advocaten)']);
    expect(received()[2]!.text).toContain(
      '2 alerts of devices behind devries-fw01 were not paged while it was down; any still open at 2025-07-01 10:03 UTC page then.',
    );
    for (const s of [140, 160, 180]) {
      clock.set(t0 + s * S);
      await report(fw!);
      await report(c1!);
      await at(t0 + (s + 1) * S);
      if (s < 180) expect(received()).toHaveLength(3);
    }
    expect(events().slice(3)).toEqual([
      expect.stringMatching(/^alert\.firing \[CRITICAL\] Offline: no report for \d+ s \(one expected every 10 s\) on devries-pc2 \(De Vries Advocaten\)$/),
    ]);

    // pc0, paged before the firewall went down, gets its resolution; so does pc2.
    clock.set(t0 + 200 * S);
    for (const d of [early!, c2!, fw!, c1!]) await report(d);
    await at(t0 + 201 * S);
    expect(received()).toHaveLength(6);
    expect(
      events()
        .slice(4)
        .map((e) => e.split(' on ')[1])
        .sort(),
    ).toEqual(['devries-pc0 (De Vries Advocaten)', 'devries-pc2 (De Vries Advocaten)']);
    expect(
      events()
        .slice(4)
        .every((e) => e.startsWith('alert.resolved')),
    ).toBe(true);
  });
});
