/**
 * Discovery: ranges refused outside the client's own networks and above the cap; the probe's scan
 * against Debian's real snmpd on loopback addresses (a printer on 127.0.0.2, a UPS on 127.0.0.3,
 * silence elsewhere); and end to end through the real server and a real probe agent: scan, list
 * with sysDescr and kind, adopt in one call, the printer's toner levels arriving, refusals, a
 * cancelled scan, and a frame for a scan that is not running.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { addressesOf, checkScanRanges, parseIpv4Range, type Ipv4Range } from '../../shared/ipv4-ranges.js';
import { createDiscoveryScanSchema } from '../../shared/discovery.js';
import { createDiscoveryRunner, guessKind, querySnmp, type DiscoveryFrame } from '../../agent/probe/discovery.js';
import type { DiscoveryScanConfig } from '../../shared/probe.js';
import type { Collector } from '../../agent/collectors/types.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent } from '../helpers/test-agent.js';
import { rawDatabaseFiles } from '../helpers/raw-db.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';
import { SNMPD, V3_AUTH_KEY, V3_PRIV_KEY, printerValues, startSnmpd, upsValues, type TestSnmpd } from './snmpd.js';

describe('scan ranges', () => {
  it('parses addresses and blocks and lists the addresses a scan tries', () => {
    const r = parseIpv4Range('192.168.10.0/30') as Ipv4Range;
    expect([...addressesOf([r])]).toEqual(['192.168.10.1', '192.168.10.2']);
    expect([...addressesOf([parseIpv4Range('10.0.0.7') as Ipv4Range])]).toEqual(['10.0.0.7']);
    expect([...addressesOf([parseIpv4Range('127.0.0.4/31') as Ipv4Range])]).toEqual(['127.0.0.4', '127.0.0.5']);
    expect(checkScanRanges(['192.168.1.0/24', '10.1.2.3'], 1_024)).toMatchObject({ addressCount: 255 });
  });

  it.each([
    ['8.8.8.0/24', 'is not inside a private or loopback network'],
    ['172.32.0.0/16', 'is not inside a private or loopback network'],
    ['192.168.1.5/24', 'is not the start of a /24 block; did you mean 192.168.1.0/24?'],
    ['192.168.01.1', 'is not an IPv4 address or block'],
    ['192.168.1.0/33', 'the prefix length after / must be 0–32'],
    ['fe80::1', 'is not an IPv4 address or block'],
    ['10.0.0.0/8', 'a scan covers at most 1,024'],
  ])('refuses %s', (range, why) => {
    const r = checkScanRanges([range], 1_024);
    expect('problem' in r && r.problem).toContain(why);
  });

  it('refuses overlapping ranges and a sum above the cap', () => {
    expect(checkScanRanges(['192.168.1.0/24', '192.168.1.20'], 1_024)).toMatchObject({ index: 1, problem: '192.168.1.20 overlaps 192.168.1.0/24' });
    const five = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24', '10.0.4.0/24'];
    expect(checkScanRanges(five, 1_024)).toMatchObject({ index: 4 });
  });

  it('the REST schema names the range and the code', () => {
    const r = createDiscoveryScanSchema.safeParse({ probeDeviceId: 'p', ranges: ['192.168.1.0/24', '203.0.113.0/24'], version: 'v2c', community: 'public' });
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path).toEqual(['ranges', 1]);
    expect((issue as { params?: { code?: string } }).params?.code).toBe('SCAN_RANGE_REFUSED');
    expect(createDiscoveryScanSchema.safeParse({ probeDeviceId: 'p', ranges: ['10.0.0.1'], version: 'v3' }).error!.issues[0]!.message).toBe(
      'a v3 scan needs its user, authKey and privKey',
    );
  });

  it('guesses a kind from the MIBs first, then the words of sysDescr', () => {
    expect(guessKind('Linux nas 6.1', true, false)).toBe('printer');
    expect(guessKind('HP LaserJet', false, true)).toBe('ups');
    expect(guessKind('HP LaserJet Pro M404dn', false, false)).toBe('printer');
    expect(guessKind('FortiGate-60F v7.2.5', false, false)).toBe('firewall');
    expect(guessKind('Synology DiskStation DS920+', false, false)).toBe('nas');
    expect(guessKind('HPE OfficeConnect Switch 1820 24G', false, false)).toBe('switch');
    expect(guessKind('Linux server 6.1.0-18-amd64', false, false)).toBeUndefined();
  });
});

describe.skipIf(!SNMPD)('discovery against real snmpd', () => {
  let dir: string;
  let port: number;
  const snmpds: TestSnmpd[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-discovery-'));
    const printer = await startSnmpd(path.join(dir, 'printer'), printerValues({ blackPct: 40 }), {
      address: '127.0.0.2',
      sysDescr: 'HP LaserJet Pro M404dn',
      sysName: 'printer-reception',
    });
    port = printer.port;
    const ups = await startSnmpd(
      path.join(dir, 'ups'),
      [...upsValues({ onBattery: false, chargePct: 100 }), ['.1.3.6.1.2.1.33.1.1.2.0', 'octet_str', 'Smart-UPS 1500']],
      {
        address: '127.0.0.3',
        port,
        sysName: 'ups-serverroom',
      },
    );
    snmpds.push(printer, ups);
  });
  afterAll(async () => {
    for (const s of snmpds) await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const scanOf = (over: Partial<DiscoveryScanConfig> = {}): DiscoveryScanConfig => ({
    scanId: 'scan-1',
    ranges: ['127.0.0.0/29'],
    port,
    version: 'v2c',
    community: 'public',
    ratePerSec: 100,
    timeoutMs: 500,
    ...over,
  });

  it('finds the printer and the UPS with their sysDescr, name and kind, and nothing where nobody answers', async () => {
    const frames: DiscoveryFrame[] = [];
    const runner = createDiscoveryRunner({ logger: createTestLogger().logger, send: (f) => (frames.push(f), true), progressEveryMs: 50 });
    runner.setScans([scanOf()]);
    await until(() => frames.some((f) => f.isDone), 10_000);
    const last = frames.at(-1)!;
    expect(last).toMatchObject({ scanId: 'scan-1', scanned: 6, total: 6, isDone: true });
    expect(frames.filter((f) => f.isDone)).toHaveLength(1);
    const found = frames.flatMap((f) => f.found).sort((a, b) => a.address.localeCompare(b.address));
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({ address: '127.0.0.2', sysDescr: 'HP LaserJet Pro M404dn', sysName: 'printer-reception', kindGuess: 'printer' });
    expect(found[0]!.sysObjectId).toMatch(/^1\.3\.6\.1\.4\.1\./);
    expect(found[1]).toMatchObject({ address: '127.0.0.3', sysName: 'ups-serverroom', kindGuess: 'ups' });
    // After a reconnect everything is sent again, the last frame too.
    frames.length = 0;
    runner.resend();
    expect(frames.flatMap((f) => f.found)).toHaveLength(2);
    expect(frames.at(-1)!.isDone).toBe(true);
    runner.stop();
  });

  it('v3 with the right keys answers; a device refusing the v3 credential is listed as such; a wrong community finds nothing', async () => {
    const v3 = { user: 'qpuser', authProtocol: 'sha' as const, authKey: V3_AUTH_KEY, privProtocol: 'aes' as const, privKey: V3_PRIV_KEY };
    expect(await querySnmp('127.0.0.2', scanOf({ version: 'v3', v3 }))).toMatchObject({ sysName: 'printer-reception' });
    // snmpd answers a wrong auth key with "Wrong Digest", an unknown user with "Unknown User Name"
    // and drops what it cannot decrypt after answering the engine discovery.
    expect(await querySnmp('127.0.0.2', scanOf({ version: 'v3', v3: { ...v3, authKey: 'wrongpass99' } }))).toEqual({
      address: '127.0.0.2',
      sysDescr: '',
      refusal: 'wrong-auth',
    });
    expect(await querySnmp('127.0.0.2', scanOf({ version: 'v3', v3: { ...v3, user: 'nobody' } }))).toEqual({
      address: '127.0.0.2',
      sysDescr: '',
      refusal: 'unknown-user',
    });
    expect(await querySnmp('127.0.0.2', scanOf({ version: 'v3', v3: { ...v3, privKey: 'wrongpriv99' } }))).toEqual({
      address: '127.0.0.2',
      sysDescr: '',
      refusal: 'wrong-privacy',
    });
    // Silence stays silence: nothing listens on 127.0.0.4.
    expect(await querySnmp('127.0.0.4', scanOf({ version: 'v3', v3 }))).toBeUndefined();
    expect(await querySnmp('127.0.0.2', scanOf({ community: 'private' }))).toBeUndefined();
  });

  it('a scan that leaves the config stops at once', async () => {
    const frames: DiscoveryFrame[] = [];
    const runner = createDiscoveryRunner({ logger: createTestLogger().logger, send: (f) => (frames.push(f), true), progressEveryMs: 50 });
    runner.setScans([scanOf({ scanId: 'slow', ranges: ['127.0.1.0/24'], ratePerSec: 5 })]);
    await until(() => frames.length > 0, 5_000);
    runner.setScans([]);
    const seen = frames.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(frames.length).toBe(seen);
    expect(frames.some((f) => f.isDone)).toBe(false);
    expect(runner.scanCount()).toBe(0);
  });

  describe('end to end through the server', () => {
    let t: TestServer;
    let api: ApiClient;
    let agent: Agent;
    let serverDir: string;

    beforeEach(async () => {
      serverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-discovery-e2e-'));
      t = await startTestServer({ dataDir: path.join(serverDir, 'server'), storageUpkeep: false, ruleTickIntervalMs: 100 });
      api = new ApiClient(t.url);
      await api.login();
    });
    afterEach(async () => {
      await agent?.stop();
      await t.close();
      fs.rmSync(serverDir, { recursive: true, force: true });
    });

    const idle: Collector = { name: 'idle', init: async () => true, collect: async () => [{ name: 'cpu.loadPct', value: 5 }] };
    function startProbe(cfg: { deviceId: string; deviceToken: string }): Agent {
      const configPath = path.join(serverDir, 'agent', 'agent.json');
      saveAgentConfig(configPath, { serverUrl: t.url, ...cfg, intervalMs: 1_000 });
      agent = createAgent({
        config: loadAgentConfig(configPath),
        configPath,
        logger: createTestLogger().logger,
        collectors: [idle],
        connection: { backoff: { baseMs: 50, capMs: 400 }, reconnectSpreadMs: 200 },
        flushTimeoutMs: 1_000,
        discovery: { progressEveryMs: 100 },
      });
      return agent;
    }

    it('scans, lists what answered, adopts the printer in one call and shows its toner levels', async () => {
      const site = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
      const other = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', contract: 'break-fix', hostname: 'devries-pc' });
      await startProbe(site).start();
      await untilApi(
        () => api.get(`/api/devices/${site.deviceId}`),
        (r) => r.json.isOnline === true,
      );

      // Refusals: nothing is made.
      const base = { probeDeviceId: site.deviceId, version: 'v2c', community: 'public', port };
      const refused = await Promise.all([
        api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, ranges: ['203.0.113.0/24'] }),
        api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, ranges: ['10.0.0.0/16'] }),
        api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, probeDeviceId: other.deviceId, ranges: ['127.0.0.0/29'] }),
        api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, community: undefined, ranges: ['127.0.0.0/29'] }),
        api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, ranges: ['127.0.0.0/29'], ratePerSec: 1_000 }),
      ]);
      expect(refused.map((r) => [r.status, r.json.error.code])).toEqual([
        [400, 'SCAN_RANGE_REFUSED'],
        [400, 'SCAN_RANGE_REFUSED'],
        [400, 'PROBE_OTHER_CLIENT'],
        [400, 'SNMP_CREDENTIAL_MISSING'],
        [400, 'VALIDATION_FAILED'],
      ]);
      expect(refused[0]!.json.error.message).toBe(
        "body.ranges.0: 203.0.113.0/24 is not inside a private or loopback network (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8); a scan covers only the client's own network",
      );
      expect((await api.get(`/api/clients/${site.clientId}/discovery-scans`)).json.scans).toEqual([]);

      // A scan's community is sealed at rest: not in the database file or its WAL, not in the API.
      const secret = 'qp-community-7f3a91';
      const sealed = await api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, community: secret, ranges: ['127.0.3.1'] });
      expect(sealed.status).toBe(201);
      for (const f of rawDatabaseFiles(t.dataDir)) expect(f.includes(secret)).toBe(false);
      expect(JSON.stringify((await api.get(`/api/clients/${site.clientId}/discovery-scans`)).json)).not.toContain(secret);
      await untilApi(
        () => api.get(`/api/discovery-scans/${sealed.json.id}`),
        (r) => r.json.state === 'done',
      );

      const started = await api.post(`/api/clients/${site.clientId}/discovery-scans`, { ...base, ranges: ['127.0.0.0/29'], ratePerSec: 50 });
      expect(started.status).toBe(201);
      expect(started.json).toMatchObject({ state: 'running', total: 6, ranges: ['127.0.0.0/29'], version: 'v2c' });
      expect(JSON.stringify(started.json)).not.toContain('public');
      const scanId = started.json.id as string;

      const done = await untilApi(
        () => api.get(`/api/discovery-scans/${scanId}`),
        (r) => r.json.state === 'done',
      );
      expect(done.json).toMatchObject({ scanned: 6, total: 6 });
      const found = [...done.json.found].sort((a: { address: string }, b: { address: string }) => a.address.localeCompare(b.address));
      expect(found.map((f: { address: string; kindGuess: string; deviceId: null }) => [f.address, f.kindGuess, f.deviceId])).toEqual([
        ['127.0.0.2', 'printer', null],
        ['127.0.0.3', 'ups', null],
      ]);
      expect(found[0].sysDescr).toBe('HP LaserJet Pro M404dn');
      // The finished scan left the probe's config.
      await untilApi(
        async () => ({ json: { n: agent.settings.probe?.scans?.length ?? 0 } }),
        (r) => r.json.n === 0,
      );

      // Adopt in one call: a printer with the printer template and the scan's credential.
      const adopted = await api.post(`/api/discovery-scans/${scanId}/found/127.0.0.2/adopt`, {});
      expect(adopted.status).toBe(201);
      const printerId = adopted.json.deviceId as string;
      const probe = await api.get(`/api/devices/${printerId}/probe`);
      expect(probe.json).toMatchObject({ kind: 'printer', probeDeviceId: site.deviceId, credentialChecks: ['snmp'] });
      expect(probe.json.checks[0]).toEqual({ id: 'snmp', type: 'snmp', host: '127.0.0.2', port, template: 'printer', version: 'v2c' });
      expect((await api.get(`/api/devices/${printerId}`)).json.hostname).toBe('printer-reception');
      const withToner = await untilApi(
        () => api.get(`/api/devices/${printerId}`),
        (r) => r.json.latest?.['printer.tonerPct{supply=black}'] !== undefined,
      );
      expect(withToner.json.latest['printer.tonerPct{supply=black}']).toBe(40);
      expect(withToner.json.latest['printer.tonerPct{supply=cyan}']).toBe(80);

      // The list now names the device; a second adoption is refused.
      const listed = (await api.get(`/api/clients/${site.clientId}/discovery-scans`)).json.scans.find((s: { id: string }) => s.id === scanId);
      expect(listed.found.find((f: { address: string }) => f.address === '127.0.0.2')).toMatchObject({ deviceId: printerId, deviceName: 'printer-reception' });
      const again = await api.post(`/api/discovery-scans/${scanId}/found/127.0.0.2/adopt`, {});
      expect([again.status, again.json.error.code]).toEqual([409, 'ALREADY_MONITORED']);
      // A kind chosen by the technician picks its template: a switch is read with IF-MIB.
      const asSwitch = await api.post(`/api/discovery-scans/${scanId}/found/127.0.0.3/adopt`, { kind: 'switch', name: 'core-switch' });
      expect(asSwitch.status).toBe(201);
      expect((await api.get(`/api/devices/${asSwitch.json.deviceId}/probe`)).json).toMatchObject({ kind: 'switch', checks: [{ template: 'network' }] });
      const nothing = await api.post(`/api/discovery-scans/${scanId}/found/127.0.0.5/adopt`, {});
      expect([nothing.status, nothing.json.error.code]).toEqual([404, 'FOUND_DEVICE_NOT_FOUND']);

      // Both are audited with the person.
      const audit = (await api.get('/api/audit?limit=20')).json;
      const actions = (audit.entries ?? audit.rows ?? audit).map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['discovery.scan-start', 'device.probed-create']));
    });

    it('a v3 scan with a wrong auth key lists the printer as refusing the credential, not adoptable', async () => {
      const site = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
      await startProbe(site).start();
      await untilApi(
        () => api.get(`/api/devices/${site.deviceId}`),
        (r) => r.json.isOnline === true,
      );
      const started = await api.post(`/api/clients/${site.clientId}/discovery-scans`, {
        probeDeviceId: site.deviceId,
        version: 'v3',
        v3: { user: 'qpuser', authKey: 'wrongpass99', privKey: V3_PRIV_KEY },
        port,
        ranges: ['127.0.0.2'],
      });
      expect(started.status).toBe(201);
      const done = await untilApi(
        () => api.get(`/api/discovery-scans/${started.json.id}`),
        (r) => r.json.state === 'done',
      );
      expect(done.json.found).toMatchObject([{ address: '127.0.0.2', sysDescr: '', refusal: 'wrong-auth', deviceId: null }]);
      expect(done.json.found[0].kindGuess).toBeUndefined();
      const adopt = await api.post(`/api/discovery-scans/${started.json.id}/found/127.0.0.2/adopt`, { kind: 'printer' });
      expect([adopt.status, adopt.json.error.code]).toEqual([409, 'CREDENTIAL_REFUSED']);
    });

    it('a cancelled scan stops on the probe, and a frame for a scan that is not running is refused', async () => {
      const site = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
      await startProbe(site).start();
      await untilApi(
        () => api.get(`/api/devices/${site.deviceId}`),
        (r) => r.json.isOnline === true,
      );
      const started = await api.post(`/api/clients/${site.clientId}/discovery-scans`, {
        probeDeviceId: site.deviceId,
        version: 'v2c',
        community: 'public',
        port,
        ranges: ['127.0.2.0/24'],
        ratePerSec: 5,
      });
      const scanId = started.json.id as string;
      await untilApi(
        () => api.get(`/api/discovery-scans/${scanId}`),
        (r) => r.json.scanned > 0,
      );
      const cancelled = await api.delete(`/api/discovery-scans/${scanId}`);
      expect(cancelled.json.state).toBe('cancelled');
      await untilApi(
        async () => ({ json: { n: agent.settings.probe?.scans?.length ?? 0 } }),
        (r) => r.json.n === 0,
      );
      const again = await api.delete(`/api/discovery-scans/${scanId}`);
      expect([again.status, again.json.error.code]).toEqual([409, 'SCAN_NOT_RUNNING']);

      // A raw agent reporting for the cancelled scan is told so, and nothing is stored.
      await agent.stop();
      const raw = await startTestAgent(t.url, site.deviceToken);
      const before = (await api.get(`/api/discovery-scans/${scanId}`)).json.scanned;
      raw.ws.send({ type: 'discoveryResult', v: 1, scanId, scanned: 200, total: 254, found: [{ address: '127.0.2.9', sysDescr: 'x' }], isDone: true });
      const err = await raw.ws.next((m) => m.type === 'error');
      raw.close();
      expect(err).toMatchObject({ code: 'DISCOVERY_SCAN_UNKNOWN', retryable: false });
      const after = (await api.get(`/api/discovery-scans/${scanId}`)).json;
      expect([after.scanned, after.found.length, after.state]).toEqual([before, 0, 'cancelled']);
    });

    it('keeps only found devices inside the scan’s ranges', async () => {
      const site = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-pc' });
      // No real probe: a raw agent answers the scan, with addresses nobody asked it to scan.
      const raw = await startTestAgent(t.url, site.deviceToken);
      const started = await api.post(`/api/clients/${site.clientId}/discovery-scans`, {
        probeDeviceId: site.deviceId,
        version: 'v2c',
        community: 'public',
        ranges: ['192.168.10.0/30', '10.1.2.3'],
      });
      expect(started.status).toBe(201);
      const found = ['192.168.10.1', '192.168.10.2', '192.168.10.3', '192.168.10.4', '10.1.2.3', '10.1.2.4', '8.8.8.8', '192.168.10.0'].map((address) => ({
        address,
        sysDescr: 'x',
      }));
      raw.ws.send({ type: 'discoveryResult', v: 1, scanId: started.json.id, scanned: 3, total: 3, found, isDone: true });
      const done = await untilApi(
        () => api.get(`/api/discovery-scans/${started.json.id}`),
        (r) => r.json.state === 'done',
      );
      expect(done.json.found.map((f: { address: string }) => f.address).sort()).toEqual(['10.1.2.3', '192.168.10.1', '192.168.10.2']);
      raw.close();
    });
  });
});

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function untilApi<T extends { json: any }>(read: () => Promise<T>, isDone: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (isDone(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(v.json).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
