/**
 * A switch end to end: the real agent as the probe of a monthly client, the real server (SQLite
 * file, real ws), Debian's snmpd serving this machine's IF-MIB with a veth pair in it. The far end
 * of the pair goes down: after the rule's 2 minutes (the server's clock is moved on, so the test
 * does not wait them out) `default-interface-down` alerts; the port comes back and it resolves.
 * snmpd restarts: `default-device-rebooted` fires on that poll and resolves on the next.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../agent/collectors/types.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';
import { SNMPD, makeLinkPair, startSnmpd, type LinkPair, type TestSnmpd } from './snmpd.js';

const hasSnmpd = SNMPD !== undefined || process.env.CI === 'true';

async function until<T>(what: string, read: () => Promise<T>, isDone: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (isDone(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const idle: Collector = { name: 'idle', init: async () => true, collect: async () => [{ name: 'cpu.loadPct', value: 5 }] };
type Alert = { id: string; ruleId: string; severity: string; deviceId: string; labels: Record<string, string>; state: string; summary?: string };

describe.runIf(hasSnmpd)('a switch end to end', () => {
  let dir: string;
  let t: TestServer;
  let api: ApiClient;
  let snmpd: TestSnmpd;
  let link: LinkPair | undefined;
  let agent: Agent | undefined;
  /** The server's clock runs this far ahead of the wall clock. */
  let aheadMs = 0;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-network-e2e-'));
    link = makeLinkPair(`qpe${process.pid % 100_000}`); // qp…: other tests leave these out of their counts
    snmpd = await startSnmpd(path.join(dir, 'snmpd'), []);
    // Rules are evaluated as each report is committed; no ticker, so moving the clock on cannot
    // make a `for` window stale or the probe look offline between two reports.
    t = await startTestServer({
      dataDir: path.join(dir, 'server'),
      storageUpkeep: false,
      ruleTickIntervalMs: 3_600_000,
      clock: { now: () => Date.now() + aheadMs },
    });
    api = new ApiClient(t.url);
    await api.login();
  }, 30_000);
  afterAll(async () => {
    await agent?.stop();
    await t?.close();
    await snmpd?.stop();
    link?.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a port going down alerts the monthly client after 2 min and resolves when it is back; a restart alerts once and resolves', async (ctx) => {
    if (!link) return ctx.skip(); // no root or no veth links on this machine
    link.setUp('a', true);
    link.setUp('b', true);
    const monthly = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
    const configPath = path.join(dir, 'agent', 'agent.json');
    saveAgentConfig(configPath, { serverUrl: t.url, ...monthly, intervalMs: 60_000 });
    agent = createAgent({
      config: loadAgentConfig(configPath),
      configPath,
      logger: createTestLogger().logger,
      collectors: [idle],
      connection: { backoff: { baseMs: 50, capMs: 400 }, reconnectSpreadMs: 200 },
      flushTimeoutMs: 1_000,
    });
    await agent.start();

    const oidsCheck = {
      id: 'oids',
      type: 'snmp',
      host: '127.0.0.1',
      port: snmpd.port,
      template: 'oids',
      version: 'v2c',
      community: 'public',
      timeoutMs: 1_000,
    };
    const refused = await api.post(`/api/clients/${monthly.clientId}/probed-devices`, {
      name: 'x',
      kind: 'firewall',
      probeDeviceId: monthly.deviceId,
      checks: [
        {
          ...oidsCheck,
          oids: [
            { oid: '1.3.6.1.2.1.1.3.0', name: 'uptime' },
            { oid: '.1.3.6.1', name: 'bad' },
          ],
        },
      ],
    });
    expect(refused.json).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message:
          'body.checks.0.oids.1.oid: ".1.3.6.1" is no dotted numeric OID: digits separated by single dots, starting 0, 1 or 2, no leading dot or zeros (e.g. 1.3.6.1.2.1.1.3.0)',
      },
    });

    const created = await api.post(`/api/clients/${monthly.clientId}/probed-devices`, {
      name: 'jansen-switch',
      kind: 'switch',
      probeDeviceId: monthly.deviceId,
      intervalMs: 1_000,
      checks: [
        { id: 'snmp', type: 'snmp', host: '127.0.0.1', port: snmpd.port, template: 'network', version: 'v2c', community: 'public', timeoutMs: 1_000 },
        { ...oidsCheck, oids: [{ oid: '1.3.6.1.2.1.1.3.0', name: 'uptime' }] },
      ],
    });
    expect(created.status).toBe(201);
    const sw = created.json.deviceId as string;
    const isUp = `if.isUp{interface=${link.a}}`;
    const device = () => api.get(`/api/devices/${sw}`);
    const alerts = async () => (await api.get(`/api/alerts?client=${monthly.clientId}`)).json as Alert[];

    const up = await until('the port up', device, (r) => r.json.latest[isUp] === 1);
    expect(up.json).toMatchObject({ kind: 'switch', isOnline: true, hostname: 'jansen-switch' });
    expect(up.json.latest['if.isUp{interface=lo}']).toBe(1);
    expect(up.json.latest[`if.isUp{interface=${link.b}}`]).toBe(1);
    // The probe keeps each target's counters between polls: rates from the second poll on.
    const rated = await until('a throughput on lo', device, (r) => r.json.latest['if.inBps{interface=lo}'] !== undefined);
    expect(rated.json.latest['if.inBps{interface=lo}']).toBeGreaterThanOrEqual(0);
    // The oids check went through the server's config push and the agent's own config check too.
    const named = await until('the named OID', device, (r) => r.json.latest['snmp.value{oid=uptime}'] !== undefined);
    expect(named.json.latest['snmp.value{oid=uptime}']).toBeGreaterThanOrEqual(0);

    // The far end goes down: the port is down, the rule waits its 2 minutes.
    link.setUp('b', false);
    const down = await until('the port down', device, (r) => r.json.latest[isUp] === 0);
    expect(down.json.latest[`if.isUp{interface=${link.b}}`]).toBe(1); // the last value before it was shut down; no new ones
    const failedResult = (r: { json: { results: { checkId: string; state: string; message: string }[] } }) =>
      r.json.results.find((x) => x.checkId === 'snmp' && x.state === 'failed');
    const result = await until(
      'the failed check',
      () => api.get(`/api/devices/${sw}/probe`),
      (r) => failedResult(r) !== undefined,
    );
    expect(failedResult(result)!.message).toMatch(new RegExp(`; reports interfaces? down: (.*, )?${link.a}( \\(.*\\))?(,|$)`));
    expect((await alerts()).filter((a) => a.ruleId === 'default-interface-down')).toEqual([]);

    aheadMs += 2 * 60_000 + 1_000;
    // snmpd shows every link of this machine, also those other tests make (qp…): this test's port only.
    const ours = (list: Alert[]) => list.filter((a) => a.ruleId === 'default-interface-down' && a.labels.interface === link!.a);
    const fired = ours(await until('the interface-down alert', alerts, (list) => ours(list).length > 0));
    expect(fired).toMatchObject([{ deviceId: sw, severity: 'warning', labels: { interface: link.a }, state: 'firing' }]);
    // The port shut down at the far end (admin down) raised nothing; nor did the probe (no offline alert).
    const others = (await alerts()).filter((a) => a.ruleId !== 'default-interface-down' || !a.labels.interface!.startsWith('qp'));
    expect(others.map((a) => [a.ruleId, a.labels])).toEqual([]);
    const alertId = fired[0]!.id;
    const detail = (await api.get(`/api/alerts/${alertId}`)).json;
    expect(JSON.stringify(detail)).toContain(`Interface ${link.a} down`);

    link.setUp('b', true);
    await until(
      'the alert resolved',
      () => api.get(`/api/alerts/${alertId}`),
      (r) => r.json.state === 'resolved',
    );

    // snmpd restarts: its sysUpTime starts again.
    await snmpd.restart();
    const rebooted = await until('the reboot alert, resolved on the next poll', alerts, (list) =>
      list.some((a) => a.ruleId === 'default-device-rebooted' && a.state === 'resolved'),
    );
    expect(rebooted.filter((a) => a.ruleId === 'default-device-rebooted')).toMatchObject([{ deviceId: sw, severity: 'warning', labels: {} }]);
    await t.server.ctx.notify.tick();
    const rebootId = rebooted.find((a) => a.ruleId === 'default-device-rebooted')!.id;
    expect(
      t.server.ctx.alerting.outbox
        .list()
        .filter((j) => j.alertId === rebootId)
        .map((j) => j.kind),
    ).toEqual(['alert.firing', 'alert.resolved']);
  }, 60_000);
});
