/**
 * The SNMP check against Debian's snmpd on a loopback port (started by the test with its own
 * config): Printer-MIB toner per colour, paper tray and page counter, printer error bits, UPS-MIB
 * on battery and charge, v3 with auth + priv and wrong keys, v2c silence, values outside the MIB.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../agent/probe/run-check.js';
import { SNMPD, V3_AUTH_KEY, V3_PRIV_KEY, printerValues, startSnmpd, upsValues, type TestSnmpd } from './snmpd.js';

const hasSnmpd = SNMPD !== undefined || process.env.CI === 'true';
const value = (samples: { name: string; labels?: Record<string, string>; value: number }[], key: string) =>
  samples.find((s) => (s.labels ? `${s.name}{${Object.values(s.labels).join(',')}}` : s.name) === key)?.value;

describe.runIf(hasSnmpd)('SNMP check against snmpd', () => {
  let dir: string;
  let printer: TestSnmpd;
  let ups: TestSnmpd;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-snmp-'));
    [printer, ups] = await Promise.all([
      startSnmpd(path.join(dir, 'printer'), printerValues({ blackPct: 40 })),
      startSnmpd(path.join(dir, 'ups'), upsValues({ onBattery: false, chargePct: 100 })),
    ]);
  }, 30_000);
  afterAll(async () => {
    await Promise.all([printer?.stop(), ups?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const v2c = (port: number, template: 'printer' | 'ups', community = 'public') => ({
    id: 'snmp',
    type: 'snmp' as const,
    host: '127.0.0.1',
    port,
    template,
    version: 'v2c' as const,
    community,
    timeoutMs: 500,
  });
  const v3 = (port: number, authKey = V3_AUTH_KEY, user = 'qpuser', privKey = V3_PRIV_KEY) => ({
    id: 'snmp',
    type: 'snmp' as const,
    host: '127.0.0.1',
    port,
    template: 'printer' as const,
    version: 'v3' as const,
    v3: { user, authKey, privKey },
    timeoutMs: 500,
  });

  it('reads toner per colour, the tray and the page counter (v2c)', async () => {
    const r = await runCheck(v2c(printer.port, 'printer'));
    expect(r.result).toEqual({
      checkId: 'snmp',
      state: 'ok',
      message: `printer at 127.0.0.1:${printer.port}: idle; black 40 %, cyan 80 %; paper tray 1 50 %; 12345 pages`,
    });
    expect(value(r.samples, 'printer.tonerPct{black}')).toBe(40);
    expect(value(r.samples, 'printer.tonerPct{cyan}')).toBe(80);
    expect(r.samples.filter((s) => s.name === 'printer.tonerPct')).toHaveLength(2); // the waste box is no toner
    expect(value(r.samples, 'printer.paperLevelPct{tray 1}')).toBe(50);
    expect(value(r.samples, 'printer.pageCount')).toBe(12345);
    expect(value(r.samples, 'check.isUp{snmp}')).toBe(1);
  });

  it('reads the same with v3 auth + priv, and says which v3 credential is wrong', async () => {
    const ok = await runCheck(v3(printer.port));
    expect(ok.result.state).toBe('ok');
    expect(value(ok.samples, 'printer.tonerPct{black}')).toBe(40);
    const badKey = await runCheck(v3(printer.port, 'wrongpass99'));
    expect(badKey.result).toEqual({
      checkId: 'snmp',
      state: 'failed',
      message: `printer at 127.0.0.1:${printer.port}: SNMPv3 authentication failed — wrong auth key or protocol`,
    });
    const badUser = await runCheck(v3(printer.port, V3_AUTH_KEY, 'nobody'));
    expect(badUser.result).toEqual({
      checkId: 'snmp',
      state: 'failed',
      message: `printer at 127.0.0.1:${printer.port}: SNMPv3 user "nobody" is not known to the device — wrong user name`,
    });
    // snmpd drops a request it cannot decrypt without a report; it did answer the discovery.
    const badPriv = await runCheck(v3(printer.port, V3_AUTH_KEY, 'qpuser', 'wrongpriv99'));
    expect(badPriv.result).toEqual({
      checkId: 'snmp',
      state: 'failed',
      message: `printer at 127.0.0.1:${printer.port}: SNMPv3 answered discovery but not the encrypted request — wrong privacy key or privacy protocol`,
    });
    const badPrivProtocol = await runCheck({
      ...v3(printer.port),
      v3: { user: 'qpuser', authKey: V3_AUTH_KEY, privKey: V3_PRIV_KEY, privProtocol: 'des' as const },
    });
    // Node's OpenSSL 3 has no DES: said as such, not as an OpenSSL code.
    expect(badPrivProtocol.result.message).toBe(
      `printer at 127.0.0.1:${printer.port}: this probe cannot encrypt with DES (its OpenSSL no longer offers it) — use AES on the device`,
    );
    expect(badPriv.samples).toEqual([{ name: 'check.isUp', labels: { check: 'snmp' }, value: 0 }]);
  });

  it('v3 against a port where nothing listens is silence, not a wrong key', async () => {
    const silent = await runCheck({ ...v3(1), timeoutMs: 300 });
    expect(silent.result.message).toBe('printer at 127.0.0.1:1: no answer — down, unreachable or not speaking SNMPv3');
  });

  it('a wrong v2c community is silence: "no answer — down or wrong community"', async () => {
    const r = await runCheck(v2c(printer.port, 'printer', 'private'));
    expect(r.result).toEqual({ checkId: 'snmp', state: 'failed', message: `printer at 127.0.0.1:${printer.port}: no answer — down or wrong community` });
    expect(r.samples).toEqual([{ name: 'check.isUp', labels: { check: 'snmp' }, value: 0 }]);
  });

  it('printer error bits fail the check and set printer.hasError; values outside the MIB store nothing', async () => {
    await printer.setValues(printerValues({ blackPct: 40, errorState: '@' })); // 0x40: bit 1, no paper
    const jam = await runCheck(v2c(printer.port, 'printer'));
    expect(jam.result).toEqual({
      checkId: 'snmp',
      state: 'failed',
      message: `printer at 127.0.0.1:${printer.port}: idle; black 40 %, cyan 80 %; paper tray 1 50 %; 12345 pages; reports no paper`,
    });
    expect(value(jam.samples, 'printer.hasError{printer}')).toBe(1);

    await printer.setValues(printerValues({ blackPct: 40, supplyLevel: 250 }));
    const garbage = await runCheck(v2c(printer.port, 'printer'));
    expect(garbage.result).toEqual({
      checkId: 'snmp',
      state: 'error',
      message: `printer at 127.0.0.1:${printer.port} answered outside the MIB's range, nothing stored: supply black (prtMarkerSuppliesLevel.1.1): level 250 is above its capacity 100`,
    });
    expect(garbage.samples).toEqual([{ name: 'check.isUp', labels: { check: 'snmp' }, value: 1 }]);
    await printer.setValues(printerValues({ blackPct: 40 }));
  });

  it('reads a UPS on mains and on battery', async () => {
    const mains = await runCheck(v2c(ups.port, 'ups'));
    expect(mains.result).toEqual({
      checkId: 'snmp',
      state: 'ok',
      message: `ups at 127.0.0.1:${ups.port}: output from mains, battery normal 100 %, 42 min left`,
    });
    await ups.setValues(upsValues({ onBattery: true, chargePct: 63 }));
    const battery = await runCheck(v2c(ups.port, 'ups'));
    expect(battery.result).toEqual({
      checkId: 'snmp',
      state: 'failed',
      message: `ups at 127.0.0.1:${ups.port}: output from battery, battery normal 63 %, 42 min left; reports on battery for 120 s`,
    });
    expect([value(battery.samples, 'ups.isOnBattery'), value(battery.samples, 'ups.chargePct'), value(battery.samples, 'ups.runtimeSec')]).toEqual([
      1, 63, 2520,
    ]);
    // A printer is no UPS: a clear error, nothing stored.
    const wrong = await runCheck(v2c(printer.port, 'ups'));
    expect(wrong.result.state).toBe('error');
    expect(wrong.result.message).toBe(
      `ups at 127.0.0.1:${printer.port} answered outside the MIB's range, nothing stored: upsBatteryStatus is missing or not an integer: the device does not answer UPS-MIB`,
    );
  });
});

describe('SNMP check against a UDP responder that answers garbage', () => {
  it('says it answered with something that is not SNMP, not "no answer", for v2c and v3', async () => {
    const socket = dgram.createSocket('udp4');
    socket.on('message', (_m, r) => socket.send(Buffer.from('this is not SNMP at all \x30\x82\xff'), r.port, r.address));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const { port } = socket.address() as AddressInfo;
    try {
      const base = { id: 'snmp', type: 'snmp' as const, host: '127.0.0.1', port, template: 'printer' as const, timeoutMs: 300 };
      for (const check of [
        { ...base, version: 'v2c' as const, community: 'public' },
        { ...base, version: 'v3' as const, v3: { user: 'qpuser', authKey: 'authpass123', privKey: 'privpass123' } },
      ]) {
        const r = await runCheck(check);
        expect(r.result).toEqual({
          checkId: 'snmp',
          state: 'error',
          message: `printer at 127.0.0.1:${port} answered with something that is not SNMP (29 bytes)`,
        });
        expect(r.samples).toEqual([{ name: 'check.isUp', labels: { check: 'snmp' }, value: 0 }]);
      }
    } finally {
      socket.close();
    }
  });
});
