/**
 * The network (IF-MIB) and oids SNMP templates against Debian's snmpd on a loopback port, serving
 * this machine's real interfaces: every interface listed by its admin state, throughput on lo
 * from the second poll, a veth whose peer goes down, a restart of snmpd seen as a reboot,
 * garbage served through `override` refused, silence, and the oids template reading sysDescr,
 * sysUpTime, ifNumber and OIDs the agent does not have.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../agent/probe/run-check.js';
import type { CheckMemory, CheckOutcome } from '../../agent/probe/types.js';
import { SNMPD, makeLinkPair, startSnmpd, type LinkPair, type TestSnmpd } from './snmpd.js';

const hasSnmpd = SNMPD !== undefined || process.env.CI === 'true';
const values = (r: CheckOutcome) => Object.fromEntries(r.samples.map((s) => [s.labels ? `${s.name}{${Object.values(s.labels).join(',')}}` : s.name, s.value]));

async function until(what: string, read: () => Promise<CheckOutcome>, isDone: (r: CheckOutcome) => boolean, timeoutMs = 20_000): Promise<CheckOutcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await read();
    if (isDone(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Sends `bytes` over the loopback in UDP datagrams and waits until they all arrived. */
async function loopbackTraffic(bytes: number): Promise<void> {
  const rx = dgram.createSocket('udp4');
  const tx = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => rx.bind(0, '127.0.0.1', resolve));
    const port = rx.address().port;
    const chunk = Buffer.alloc(32_000, 7);
    const count = Math.ceil(bytes / chunk.length);
    let received = 0;
    const all = new Promise<void>((resolve) => rx.on('message', () => ++received >= count && resolve()));
    for (let i = 0; i < count; i++) await new Promise<void>((resolve) => tx.send(chunk, port, '127.0.0.1', () => resolve()));
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, 2_000))]); // UDP may drop a few; the counters still moved
  } finally {
    rx.close();
    tx.close();
  }
}

describe.runIf(hasSnmpd)('network and oids templates against snmpd', () => {
  let dir: string;
  let snmpd: TestSnmpd;
  let link: LinkPair | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-snmp-net-'));
    link = makeLinkPair(`qp${process.pid % 1_000_000}`);
    snmpd = await startSnmpd(path.join(dir, 'switch'), []);
  }, 30_000);
  afterAll(async () => {
    link?.remove();
    await snmpd?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const net = (port: number) => ({
    id: 'net',
    type: 'snmp' as const,
    host: '127.0.0.1',
    port,
    template: 'network' as const,
    version: 'v2c' as const,
    community: 'public',
    timeoutMs: 1_000,
  });

  it("lists the machine's interfaces: isUp for the administratively up ones, uptime, no rates on the first poll", async () => {
    const r = await runCheck(net(snmpd.port), {}, new Map());
    const v = values(r);
    expect(v['if.isUp{lo}']).toBe(1);
    expect(v['snmp.rebooted']).toBe(0);
    expect(v['snmp.uptimeSec']).toBeGreaterThanOrEqual(0);
    expect(v['snmp.uptimeSec']).toBeLessThan(120); // snmpd's own uptime: it just started
    expect(r.samples.filter((s) => s.name === 'if.inBps')).toEqual([]);
    // The kernel's view: IFF_UP (flag 0x1) is ifAdminStatus up. Links other tests make (qp…) come and go.
    for (const name of fs.readdirSync('/sys/class/net').filter((n) => !n.startsWith('qp'))) {
      const isAdminUp = (parseInt(fs.readFileSync(`/sys/class/net/${name}/flags`, 'utf8'), 16) & 1) === 1;
      expect([name, v[`if.isUp{${name}}`] !== undefined]).toEqual([name, isAdminUp]);
    }
    const down = r.samples.filter((s) => s.name === 'if.isUp' && s.value === 0);
    expect(r.result.state).toBe(down.length > 0 ? 'failed' : 'ok');
    expect(r.result.message).toMatch(
      new RegExp(
        `^network at 127\\.0\\.0\\.1:${snmpd.port}: \\d+ interfaces: \\d+ up, ${down.length} down(, \\d+ shut down)?; up for \\d+ s; throughput from the next poll`,
      ),
    );
  });

  it('throughput on lo from the second poll, in bits per second', async () => {
    const memory: CheckMemory = new Map();
    await runCheck(net(snmpd.port), {}, memory);
    // snmpd caches the interface table for a few seconds: poll until it shows the new counters.
    const r = await until(
      'a throughput on lo',
      async () => {
        await loopbackTraffic(2_000_000);
        return runCheck(net(snmpd.port), {}, memory);
      },
      (x) => (values(x)['if.inBps{lo}'] ?? 0) > 0,
    );
    const v = values(r);
    expect(v['if.outBps{lo}']).toBeGreaterThan(0);
    expect(v['if.errorsPerMin{lo}']).toBe(0);
    expect(v['snmp.rebooted']).toBe(0);
    expect(r.result.message).not.toContain('next poll');
  }, 30_000);

  it('a port whose far end goes down is down (isUp 0, the check failed); a port shut down reports no isUp', async (ctx) => {
    if (!link) return ctx.skip(); // no root or no veth: said by the skip
    link.setUp('a', true);
    link.setUp('b', true);
    const memory: CheckMemory = new Map();
    await until(
      'both ends up',
      () => runCheck(net(snmpd.port), {}, memory),
      (x) => values(x)[`if.isUp{${link!.a}}`] === 1 && values(x)[`if.isUp{${link!.b}}`] === 1,
    );
    link.setUp('b', false);
    const r = await until(
      `${link.a} down`,
      () => runCheck(net(snmpd.port), {}, memory),
      (x) => values(x)[`if.isUp{${link!.a}}`] === 0,
    );
    expect(values(r)[`if.isUp{${link.b}}`]).toBeUndefined(); // administratively down: never pages
    expect(r.result.state).toBe('failed');
    expect(r.result.message).toMatch(new RegExp(`; reports interfaces? down: (.*, )?${link.a}( \\((down|lower layer down)\\))?(,|$)`));
    expect(r.result.message).toMatch(/ down(, \d+ shut down)?; up for /);

    // The technician shuts the down port: one last isUp 1 (its alert resolves), then nothing.
    link.setUp('a', false);
    const shut = await until(
      `${link.a} shut down`,
      () => runCheck(net(snmpd.port), {}, memory),
      (x) => values(x)[`if.isUp{${link!.a}}`] !== 0,
    );
    expect(values(shut)[`if.isUp{${link.a}}`]).toBe(1);
    expect(values(await runCheck(net(snmpd.port), {}, memory))[`if.isUp{${link.a}}`]).toBeUndefined();
  }, 60_000);

  it('snmpd restarted: snmp.rebooted 1 on that poll only, with no rates over the restart', async () => {
    const memory: CheckMemory = new Map();
    await until(
      'snmpd up for a second',
      () => runCheck(net(snmpd.port), {}, memory),
      (x) => (values(x)['snmp.uptimeSec'] ?? 0) >= 1,
    );
    await snmpd.restart();
    const r = await runCheck(net(snmpd.port), {}, memory);
    const v = values(r);
    expect(v['snmp.rebooted']).toBe(1);
    expect(v['if.isUp{lo}']).toBe(1);
    expect(r.samples.filter((s) => s.name === 'if.inBps' || s.name === 'if.outBps')).toEqual([]);
    expect(r.result.state).toBe('failed');
    expect(r.result.message).toMatch(/; reports a restart \(sysUpTime went back from \d+ s to \d+ s\)/);
    const next = await runCheck(net(snmpd.port), {}, memory);
    expect(values(next)['snmp.rebooted']).toBe(0);
  }, 30_000);

  it('the oids template: numbers stored, text shown, missing OIDs said per OID', async () => {
    const r = await runCheck({
      id: 'oids',
      type: 'snmp',
      host: '127.0.0.1',
      port: snmpd.port,
      template: 'oids',
      version: 'v2c',
      community: 'public',
      timeoutMs: 1_000,
      oids: [
        { oid: '1.3.6.1.2.1.1.1.0', name: 'descr' },
        { oid: '1.3.6.1.2.1.1.3.0', name: 'uptime' },
        { oid: '1.3.6.1.2.1.2.1.0', name: 'ifnumber' },
        { oid: '1.3.6.1.2.1.1.99.0', name: 'nothing' },
        { oid: '1.3.6.1.2.1.1.3.1', name: 'wrong-instance' },
      ],
    });
    const v = values(r);
    expect(v['snmp.value{uptime}']).toBeGreaterThanOrEqual(0);
    expect(v['snmp.value{ifnumber}']).toBeGreaterThanOrEqual(fs.readdirSync('/sys/class/net').filter((n) => !n.startsWith('qp')).length);
    expect(Object.keys(v).sort()).toEqual(['check.isUp{oids}', 'check.latencyMs{oids}', 'snmp.value{ifnumber}', 'snmp.value{uptime}']);
    expect(r.result.state).toBe('failed');
    expect(r.result.message).toMatch(
      new RegExp(
        `^oids at 127\\.0\\.0\\.1:${snmpd.port}: descr "${os.type()} ${os.hostname()} ${os.release().replace(/[.+]/g, '\\$&')}.*"; uptime \\d+ ticks; ifnumber \\d+; reports `,
      ),
    );
    expect(r.result.message).toMatch(
      /; reports nothing \(1\.3\.6\.1\.2\.1\.1\.99\.0\) is not known to the device \(noSuchObject\), wrong-instance \(1\.3\.6\.1\.2\.1\.1\.3\.1\) has no such instance on the device \(noSuchInstance\)$/,
    );
  });

  it('garbage in the IF-MIB is refused with nothing stored; silence is "no answer"', async () => {
    const bad = await startSnmpd(path.join(dir, 'bad'), [['.1.3.6.1.2.1.2.2.1.8.1', 'integer', 9]]);
    try {
      const memory: CheckMemory = new Map();
      const r = await runCheck(net(bad.port), {}, memory);
      expect(r.result).toEqual({
        checkId: 'net',
        state: 'error',
        message: `network at 127.0.0.1:${bad.port} answered outside the MIB's range, nothing stored: ifOperStatus.1 9 is outside IF-MIB's range 1–7`,
      });
      expect(r.samples).toEqual([{ name: 'check.isUp', labels: { check: 'net' }, value: 1 }]);
      expect(memory.size).toBe(0); // nothing kept either

      await bad.setValues([['.1.3.6.1.2.1.31.1.1.1.6.1', 'octet_str', '12345']]);
      const octets = await runCheck(net(bad.port), {}, memory);
      expect(octets.result.message).toBe(
        `network at 127.0.0.1:${bad.port} answered outside the MIB's range, nothing stored: ifHCInOctets.1 must be a Counter64, got OctetString (bytes 3132333435)`,
      );
      expect(octets.samples).toHaveLength(1);

      await bad.stop();
      const silent = await runCheck(net(bad.port), {}, memory);
      expect(silent.result).toEqual({ checkId: 'net', state: 'failed', message: `network at 127.0.0.1:${bad.port}: no answer — down or wrong community` });
      expect(silent.samples).toEqual([{ name: 'check.isUp', labels: { check: 'net' }, value: 0 }]);
    } finally {
      await bad.stop();
    }
  }, 30_000);
});
