/**
 * The network (IF-MIB) and oids SNMP templates as pure functions over typed varbinds: labels,
 * admin-down ports, rates from two polls (64-bit counters, 32-bit wraps, resets, reboots, the
 * first poll), reboot detection from sysUpTime, values of the wrong type or outside the MIB, and
 * the strict OID validation of the check schema and of the agent's own config check.
 */
import { describe, expect, it } from 'vitest';
import { IF, IFX, SnmpType, counterDelta, isRestart, readNetwork, type NetworkPoll, type TypedRows, type TypedVarbind } from '../../agent/probe/snmp-ifmib.js';
import { readOids } from '../../agent/probe/snmp-oids.js';
import { MibRangeError } from '../../agent/probe/snmp-templates.js';
import { probeConfigProblem } from '../../agent/probe/config.js';
import { probeCheckSchema } from '../../shared/probe.js';
import { MAX_SNMP_OIDS } from '../../shared/probe-constants.js';

const T = SnmpType;
const vb = (type: number, value: unknown, oid = 'x'): TypedVarbind => ({ oid, type, value });
const c64 = (n: bigint) => vb(T.Counter64, Buffer.from(n.toString(16).padStart(16, '0'), 'hex'));
const text = (s: string) => vb(T.OctetString, Buffer.from(s));

interface Port {
  index: number;
  name?: string;
  descr?: string;
  alias?: string;
  admin?: number;
  oper?: number;
  /** 64-bit counters (ifHCIn/OutOctets). */
  hcIn?: bigint;
  hcOut?: bigint;
  /** 32-bit counters (ifIn/OutOctets), read when there are no 64-bit ones. */
  in32?: number;
  out32?: number;
  inErrors?: number;
  outErrors?: number;
  speed?: number;
  highSpeed?: number;
  discontinuity?: number;
  /** Replace or add raw columns: [table, column, varbind]. */
  raw?: ['if' | 'ifx', number, TypedVarbind][];
}

function poll(uptimeTicks: number | TypedVarbind | undefined, ports: Port[], ifNumber?: number): NetworkPoll {
  const ifRows: TypedRows = new Map();
  const ifxRows: TypedRows = new Map();
  for (const p of ports) {
    const row = new Map<number, TypedVarbind>();
    const xrow = new Map<number, TypedVarbind>();
    row.set(IF.descr, text(p.descr ?? `port ${p.index}`));
    row.set(IF.adminStatus, vb(T.Integer, p.admin ?? 1));
    row.set(IF.operStatus, vb(T.Integer, p.oper ?? 1));
    if (p.speed !== undefined) row.set(IF.speed, vb(T.Gauge32, p.speed));
    if (p.in32 !== undefined) row.set(IF.inOctets, vb(T.Counter32, p.in32));
    if (p.out32 !== undefined) row.set(IF.outOctets, vb(T.Counter32, p.out32));
    if (p.inErrors !== undefined) row.set(IF.inErrors, vb(T.Counter32, p.inErrors));
    if (p.outErrors !== undefined) row.set(IF.outErrors, vb(T.Counter32, p.outErrors));
    if (p.name !== undefined) xrow.set(IFX.name, text(p.name));
    if (p.alias !== undefined) xrow.set(IFX.alias, text(p.alias));
    if (p.hcIn !== undefined) xrow.set(IFX.hcInOctets, c64(p.hcIn));
    if (p.hcOut !== undefined) xrow.set(IFX.hcOutOctets, c64(p.hcOut));
    if (p.highSpeed !== undefined) xrow.set(IFX.highSpeed, vb(T.Gauge32, p.highSpeed));
    if (p.discontinuity !== undefined) xrow.set(IFX.counterDiscontinuityTime, vb(T.TimeTicks, p.discontinuity));
    for (const [table, column, v] of p.raw ?? []) (table === 'if' ? row : xrow).set(column, v);
    ifRows.set(String(p.index), row);
    if (xrow.size > 0) ifxRows.set(String(p.index), xrow);
  }
  return {
    sysUpTime: typeof uptimeTicks === 'number' ? vb(T.TimeTicks, uptimeTicks) : uptimeTicks,
    ifNumber: ifNumber !== undefined ? vb(T.Integer, ifNumber) : undefined,
    ifRows,
    ifxRows,
  };
}

const keyed = (samples: { name: string; labels?: Record<string, string>; value: number }[]) =>
  Object.fromEntries(samples.map((s) => [s.labels ? `${s.name}{${Object.values(s.labels).join(',')}}` : s.name, s.value]));

/** Two polls `elapsedMs` apart: the second's samples, summary and problems. */
function twoPolls(first: NetworkPoll, second: NetworkPoll, elapsedMs = 10_000) {
  const a = readNetwork(first, undefined, 1_000);
  const b = readNetwork(second, a.memory, 1_000 + elapsedMs);
  return { ...b.reading, values: keyed(b.reading.samples), memory: b.memory };
}

describe('network template: interfaces', () => {
  it('first poll: isUp for administratively up ports only, uptime, no restart, no rates yet', () => {
    const r = readNetwork(
      poll(360_000, [
        { index: 1, name: 'Gi1/0/1', alias: 'uplink core', hcIn: 100n, hcOut: 100n },
        { index: 2, name: 'Gi1/0/2', oper: 2 },
        { index: 3, name: 'Gi1/0/3', admin: 2, oper: 2 },
        { index: 4, name: 'Te1/1/1', oper: 6 },
        { index: 5, name: 'Dialer1', oper: 5 },
        { index: 6, name: 'Po1', oper: 7, alias: 'to NAS' },
      ]),
      undefined,
      0,
    );
    expect(keyed(r.reading.samples)).toEqual({
      'snmp.uptimeSec': 3600,
      'snmp.rebooted': 0,
      'if.isUp{Gi1/0/1}': 1,
      'if.isUp{Gi1/0/2}': 0,
      'if.isUp{Dialer1}': 1,
      'if.isUp{Po1}': 0,
    });
    expect(r.reading.summary).toBe('6 interfaces: 2 up, 2 down, 1 shut down, 1 not present; up for 1 h; throughput from the next poll');
    expect(r.reading.problems).toEqual(['interfaces down: Gi1/0/2, Po1 "to NAS" (lower layer down)']);
    expect(r.memory.interfaces.get('1')).toMatchObject({ inOctets: 100n, is64: true });
  });

  it.each([
    ['ifName preferred', { name: 'Gi1/0/1', descr: 'GigabitEthernet1/0/1' }, 'Gi1/0/1'],
    ['ifDescr when there is no ifName', { descr: 'eth0' }, 'eth0'],
    ['an empty ifName falls back to ifDescr', { name: '', descr: 'ether1' }, 'ether1'],
    ['reserved characters become _', { name: 'port{1},x=y' }, 'port_1__x_y'],
    ['white space collapsed, NULs cut', { name: ' port\t 7\0\0' }, 'port 7'],
    ['no name at all: if<index>', { name: '', descr: '' }, 'if9'],
    ['long names cut to 60', { name: 'x'.repeat(100) }, 'x'.repeat(60)],
  ])('label: %s', (_what, names, label) => {
    const r = readNetwork(poll(0, [{ index: 9, ...names }]), undefined, 0);
    expect(r.reading.samples.find((s) => s.name === 'if.isUp')?.labels).toEqual({ interface: label });
  });

  it('a port that was down and is then shut down or removed sends if.isUp 1 once, so its alert can resolve', () => {
    const a = readNetwork(
      poll(0, [
        { index: 1, name: 'p1', oper: 2 },
        { index: 2, name: 'p2', oper: 2 },
        { index: 3, name: 'p3', oper: 2 },
      ]),
      undefined,
      0,
    );
    const b = readNetwork(
      poll(100, [
        { index: 1, name: 'p1', admin: 2, oper: 2 },
        { index: 3, name: 'p3', oper: 2 },
      ]),
      a.memory,
      1_000,
    );
    expect(b.reading.samples.filter((s) => s.name === 'if.isUp')).toEqual([
      { name: 'if.isUp', labels: { interface: 'p3' }, value: 0 },
      { name: 'if.isUp', labels: { interface: 'p1' }, value: 1 },
      { name: 'if.isUp', labels: { interface: 'p2' }, value: 1 },
    ]);
    const c = readNetwork(
      poll(200, [
        { index: 1, name: 'p1', admin: 2, oper: 2 },
        { index: 3, name: 'p3', oper: 2 },
      ]),
      b.memory,
      2_000,
    );
    expect(c.reading.samples.filter((s) => s.name === 'if.isUp')).toEqual([{ name: 'if.isUp', labels: { interface: 'p3' }, value: 0 }]);
  });

  it('two ports of the same name get their ifIndex', () => {
    const r = readNetwork(
      poll(0, [
        { index: 1, name: 'vlan' },
        { index: 2, name: 'vlan' },
        { index: 3, name: 'vlan' },
      ]),
      undefined,
      0,
    );
    expect(r.reading.samples.filter((s) => s.name === 'if.isUp').map((s) => s.labels!.interface)).toEqual(['vlan', 'vlan#2', 'vlan#3']);
  });

  it(`reads at most 256 interfaces, in ifIndex order, and says so`, () => {
    const ports = Array.from({ length: 300 }, (_, i) => ({ index: 300 - i, name: `p${300 - i}` }));
    const r = readNetwork(poll(0, ports, 300), undefined, 0);
    const up = r.reading.samples.filter((s) => s.name === 'if.isUp');
    expect(up).toHaveLength(256);
    expect([up[0]!.labels!.interface, up[255]!.labels!.interface]).toEqual(['p1', 'p256']);
    expect(r.reading.summary).toMatch(/^first 256 of 300 interfaces: 256 up, 0 down;/);
  });
});

describe('network template: rates between polls', () => {
  it('64-bit counters: bits per second and errors per minute', () => {
    const r = twoPolls(
      poll(100_000, [
        { index: 1, name: 'wan', hcIn: 5n * 10n ** 12n, hcOut: 10n, inErrors: 7, outErrors: 1, highSpeed: 1000 },
        { index: 2, name: 'spare', admin: 2, oper: 2, hcIn: 0n, hcOut: 0n },
      ]),
      poll(101_000, [
        { index: 1, name: 'wan', hcIn: 5n * 10n ** 12n + 12_500_000n, hcOut: 1_260n, inErrors: 10, outErrors: 4, highSpeed: 1000 },
        { index: 2, name: 'spare', admin: 2, oper: 2, hcIn: 100n, hcOut: 0n },
      ]),
    );
    // A port shut down reports nothing at all, not even its throughput.
    expect(r.values).toEqual({
      'snmp.uptimeSec': 1010,
      'snmp.rebooted': 0,
      'if.isUp{wan}': 1,
      'if.inBps{wan}': 10_000_000,
      'if.outBps{wan}': 1_000,
      'if.errorsPerMin{wan}': 36,
    });
    expect(r.summary).not.toContain('next poll');
  });

  it.each([
    // [what, speed (bit/s), first, second, inBps]
    ['a 32-bit counter that wrapped, within the link speed', 100_000_000, 4_294_967_000, 1_000, Math.round((1_296 * 8) / 10)],
    ['a 32-bit counter that went back further than the link could carry: a reset, skipped', 100, 4_000_000_000, 1_000, undefined],
    ['a 32-bit counter that went back on a link of unknown speed: skipped', 0, 4_000_000_000, 1_000, undefined],
    ['a 32-bit counter that grew', 0, 1_000, 2_000, 800],
  ])('%s', (_what, speed, first, second, inBps) => {
    const r = twoPolls(
      poll(100_000, [{ index: 1, name: 'p', in32: first, out32: 0, speed }]),
      poll(101_000, [{ index: 1, name: 'p', in32: second, out32: 0, speed }]),
    );
    expect(r.values['if.inBps{p}']).toBe(inBps);
    expect(r.values['if.outBps{p}']).toBe(0);
  });

  it.each([
    ['a 64-bit counter that went back (reset)', { hcIn: 10n ** 9n }, { hcIn: 5n }],
    ['counters from 64 to 32 bits', { hcIn: 100n }, { hcIn: undefined, in32: 200 }],
    ['ifCounterDiscontinuityTime changed', { hcIn: 100n, discontinuity: 0 }, { hcIn: 200n, discontinuity: 5_000 }],
  ])('no rate for %s', (_what, a: Partial<Port>, b: Partial<Port>) => {
    const base = { index: 1, name: 'p', hcOut: 0n, in32: 0, out32: 0, highSpeed: 1000 };
    const r = twoPolls(
      poll(100_000, [{ ...base, ...a }]),
      poll(101_000, [{ ...base, ...b, ...(b.hcIn === undefined && 'hcIn' in b ? { hcOut: undefined } : {}) }]),
    );
    expect(r.values['if.inBps{p}']).toBeUndefined();
    expect(r.values['if.isUp{p}']).toBe(1);
  });

  it('an error counter that went back is a reset: no error rate, throughput still', () => {
    const r = twoPolls(
      poll(100_000, [{ index: 1, name: 'p', hcIn: 0n, hcOut: 0n, inErrors: 50, outErrors: 0 }]),
      poll(101_000, [{ index: 1, name: 'p', hcIn: 1_250n, hcOut: 0n, inErrors: 2, outErrors: 0 }]),
    );
    expect(r.values).toMatchObject({ 'if.inBps{p}': 1_000 });
    expect(r.values['if.errorsPerMin{p}']).toBeUndefined();
  });

  it('a new interface has no rate until its second poll', () => {
    const r = twoPolls(
      poll(100_000, [{ index: 1, name: 'a', hcIn: 0n, hcOut: 0n }]),
      poll(101_000, [
        { index: 1, name: 'a', hcIn: 10n, hcOut: 0n },
        { index: 2, name: 'b', hcIn: 10n, hcOut: 0n },
      ]),
    );
    expect(r.values['if.inBps{a}']).toBe(8);
    expect(r.values['if.inBps{b}']).toBeUndefined();
  });
});

describe('network template: restarts from sysUpTime', () => {
  it('uptime went back: snmp.rebooted 1, the interval skipped, said in words; the next poll is back to 0 with rates', () => {
    const p1 = poll(8_640_000, [{ index: 1, name: 'p', hcIn: 10n ** 9n, hcOut: 0n }]);
    const p2 = poll(3_000, [{ index: 1, name: 'p', hcIn: 10n ** 9n + 1_000n, hcOut: 0n }]); // the kernel kept counting
    const a = readNetwork(p1, undefined, 0);
    const b = readNetwork(p2, a.memory, 60_000);
    expect(keyed(b.reading.samples)).toEqual({ 'snmp.uptimeSec': 30, 'snmp.rebooted': 1, 'if.isUp{p}': 1 });
    expect(b.reading.problems).toEqual(['a restart (sysUpTime went back from 1 d to 30 s)']);
    const c = readNetwork(poll(9_000, [{ index: 1, name: 'p', hcIn: 10n ** 9n + 8_500n, hcOut: 0n }]), b.memory, 120_000);
    expect(keyed(c.reading.samples)).toMatchObject({ 'snmp.rebooted': 0, 'if.inBps{p}': 1_000 });
  });

  it.each([
    // [what, previous ticks, current ticks, elapsed ms, restarted]
    ['grew with the clock', 100_000, 106_000, 60_000, false],
    ['grew a little less (jitter)', 100_000, 105_500, 60_000, false],
    ['went back', 100_000, 99_999, 60_000, true],
    ['grew far less than the time passed: a quick restart', 100_000, 101_000, 600_000, true],
    ['wrapped after 497 days', 2 ** 32 - 1_000, 5_000, 60_000, false],
    ['went back near the wrap point but not by the time passed', 2 ** 32 - 1_000, 50_000_000, 60_000, true],
  ])('sysUpTime %s', (_what, prev, cur, elapsedMs, restarted) => {
    expect(isRestart(prev, cur, elapsedMs)).toBe(restarted);
  });

  it.each([
    [50n, 100n, true, 10_000, undefined],
    [100n, 50n, true, undefined, 50n],
    [10n, 2n ** 32n - 10n, false, 100, 20n],
    [10n, 2n ** 32n - 10n, false, 10, undefined],
    [10n, 2n ** 32n - 10n, false, undefined, undefined],
  ])('counterDelta(%s, %s, 64-bit %s, max %s) = %s', (cur, prev, is64, max, want) => {
    expect(counterDelta(cur, prev, is64, max)).toBe(want);
  });
});

describe('network template: garbage is refused, nothing stored', () => {
  const bad = (what: string, ports: Port[], message: string, uptime: number | TypedVarbind | 'none' = 0) => [what, ports, message, uptime] as const;
  it.each([
    bad('ifOperStatus 9', [{ index: 1, oper: 9 }], "ifOperStatus.1 9 is outside IF-MIB's range 1–7"),
    bad('ifAdminStatus 0', [{ index: 2, admin: 0 }], "ifAdminStatus.2 0 is outside IF-MIB's range 1–3"),
    bad('ifOperStatus as text', [{ index: 1, raw: [['if', IF.operStatus, text('up')]] }], 'ifOperStatus.1 must be an Integer, got OctetString (bytes 7570)'),
    bad('no ifOperStatus', [{ index: 1, raw: [['if', IF.operStatus, vb(T.Null, null)]] }], 'ifOperStatus.1 must be an Integer, got Null (null)'),
    bad(
      'an octet string where a 64-bit counter belongs',
      [{ index: 1, hcOut: 0n, raw: [['ifx', IFX.hcInOctets, text('12345')]] }],
      'ifHCInOctets.1 must be a Counter64, got OctetString (bytes 3132333435)',
    ),
    bad(
      'an octet string where a 32-bit counter belongs',
      [{ index: 3, out32: 0, raw: [['if', IF.inOctets, text('lots')]] }],
      'ifInOctets.3 must be a Counter32, got OctetString (bytes 6c6f7473)',
    ),
    bad('a non-integer counter', [{ index: 1, in32: 1.5, out32: 0 }], 'ifInOctets.1 1.5 is outside 0–4294967295'),
    bad('a negative counter', [{ index: 1, in32: -1, out32: 0 }], 'ifInOctets.1 -1 is outside 0–4294967295'),
    bad(
      'a Counter64 of 10 bytes',
      [{ index: 1, hcOut: 0n, raw: [['ifx', IFX.hcInOctets, vb(T.Counter64, Buffer.alloc(10, 1))]] }],
      'ifHCInOctets.1 is no 64-bit counter (10 bytes)',
    ),
    bad('an error counter as Gauge', [{ index: 1, raw: [['if', IF.inErrors, vb(T.Gauge32, 3)]] }], 'ifInErrors.1 must be a Counter32, got Gauge32 (3)'),
    bad('ifName as a number', [{ index: 1, raw: [['ifx', IFX.name, vb(T.Integer, 7)]] }], 'ifName.1 must be an OctetString, got Integer (7)'),
    bad('ifSpeed as text', [{ index: 1, raw: [['if', IF.speed, text('1G')]] }], 'ifSpeed.1 must be a Gauge32, got OctetString (bytes 3147)'),
    bad('no sysUpTime', [{ index: 1 }], 'sysUpTime is missing: the device does not answer SNMPv2-MIB', 'none'),
    bad('sysUpTime as Integer', [{ index: 1 }], 'sysUpTime must be a TimeTicks, got Integer (5)', vb(T.Integer, 5)),
    bad('no interfaces', [], 'the device answers SNMP but lists no interfaces (IF-MIB ifTable is empty)'),
  ])('%s', (_what, ports, message, uptime) => {
    expect(() => readNetwork(poll(uptime === 'none' ? undefined : uptime, ports), undefined, 0)).toThrow(new MibRangeError(message));
  });
});

describe('oids template', () => {
  it('numbers become snmp.value{oid}, text is shown only, a missing OID is said per OID', () => {
    const r = readOids([
      { oid: '1.3.6.1.2.1.1.1.0', name: 'descr', varbind: text('Linux fw01 6.1.0') },
      { oid: '1.3.6.1.2.1.1.3.0', name: 'uptime', varbind: vb(T.TimeTicks, 12_345) },
      { oid: '1.3.6.1.2.1.2.1.0', name: 'ifnumber', varbind: vb(T.Integer, -4) },
      { oid: '1.3.6.1.4.1.9.1', name: 'octets', varbind: c64(2n ** 40n) },
      { oid: '1.3.6.1.4.1.9.2', name: 'gauge', varbind: vb(T.Gauge32, 7) },
      { oid: '1.3.6.1.4.1.9.3', name: 'mac', varbind: vb(T.OctetString, Buffer.from([0x02, 0xfc, 0, 0, 0, 1])) },
      { oid: '1.3.6.1.4.1.9.4', name: 'addr', varbind: vb(T.IpAddress, '10.0.0.1') },
      { oid: '1.3.6.1.4.1.9.5', name: 'gone', missing: 'is not known to the device (noSuchObject)' },
    ]);
    expect(keyed(r.samples)).toEqual({ 'snmp.value{uptime}': 12_345, 'snmp.value{ifnumber}': -4, 'snmp.value{octets}': 2 ** 40, 'snmp.value{gauge}': 7 });
    expect(r.summary).toBe('descr "Linux fw01 6.1.0"; uptime 12345 ticks; ifnumber -4; octets 1099511627776; gauge 7; mac 0x02fc00000001; addr 10.0.0.1');
    expect(r.problems).toEqual(['gone (1.3.6.1.4.1.9.5) is not known to the device (noSuchObject)']);
  });

  it('a number type holding garbage is refused', () => {
    expect(() => readOids([{ oid: '1.3.6.1.4.1.9.1', name: 'x', varbind: vb(T.Counter32, 'many') }])).toThrow(
      new MibRangeError('x (1.3.6.1.4.1.9.1) is a number type but holds "many"'),
    );
  });
});

describe('oids check validation', () => {
  const check = (oids: unknown, template = 'oids') => ({ id: 'fw', type: 'snmp', host: '10.0.0.1', template, version: 'v2c', community: 'public', oids });
  const zodProblem = (c: unknown) => {
    const r = probeCheckSchema.safeParse(c);
    return r.success ? undefined : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  };
  const agentProblem = (c: unknown) => probeConfigProblem({ targets: [{ deviceId: 'd', kind: 'firewall', intervalMs: 60_000, checks: [c] }] });

  it('accepts dotted numeric OIDs with names', () => {
    const ok = check([
      { oid: '1.3.6.1.2.1.1.3.0', name: 'uptime' },
      { oid: '1.3.6.1.4.1.2021.10.1.5.1', name: 'load.1-min_x' },
      { oid: `1.3.${'4294967295.'.repeat(30)}0`, name: 'long' },
    ]);
    expect(zodProblem(ok)).toBeUndefined();
    expect(agentProblem(ok)).toBeUndefined();
    expect(zodProblem({ ...check(undefined, 'network'), oids: undefined })).toBeUndefined();
  });

  const dotted = 'is no dotted numeric OID: digits separated by single dots, starting 0, 1 or 2, no leading dot or zeros (e.g. 1.3.6.1.2.1.1.3.0)';
  it.each([
    ['.1.3.6.1.2.1.1.3.0', `oids.0.oid: ".1.3.6.1.2.1.1.3.0" ${dotted}`],
    ['1.3.6.1.', `oids.0.oid: "1.3.6.1." ${dotted}`],
    ['1..3', `oids.0.oid: "1..3" ${dotted}`],
    ['1.3.06.1', `oids.0.oid: "1.3.06.1" ${dotted}`],
    ['sysUpTime.0', `oids.0.oid: "sysUpTime.0" ${dotted}`],
    ['3.1.2', `oids.0.oid: "3.1.2" ${dotted}`],
    ['1', `oids.0.oid: "1" ${dotted}`],
    ['1.3.6.1.99999999999', `oids.0.oid: "1.3.6.1.99999999999" ${dotted}`],
    ['1.3.6.4294967296', 'oids.0.oid: each number at most 4294967295'],
    ['1.40.1', 'oids.0.oid: the second number is at most 39 under 1'],
    [`1.3${'.1'.repeat(63)}`, 'oids.0.oid: at most 64 numbers'],
    [`1.3.${'1234567890.'.repeat(40)}1`, 'oids.0.oid: at most 400 characters'],
    ['', 'oids.0.oid: an OID in dotted numbers, e.g. 1.3.6.1.2.1.1.3.0'],
  ])('refuses the OID %j', (oid, message) => {
    expect(zodProblem(check([{ oid, name: 'x' }]))).toBe(message);
    expect(agentProblem(check([{ oid, name: 'x' }]))).toBe(`config.probe.targets.0.checks.0.${message}`);
  });

  it.each([
    [[{ oid: '1.3.6.1', name: 'Upper' }], 'oids.0.name: a name of 1–40 lower-case letters, digits, ., - and _ (it becomes the oid label)'],
    [[{ oid: '1.3.6.1', name: 'x'.repeat(41) }], 'oids.0.name: a name of 1–40 lower-case letters, digits, ., - and _ (it becomes the oid label)'],
    [
      [
        { oid: '1.3.6.1', name: 'a' },
        { oid: '1.3.6.2', name: 'a' },
      ],
      'oids.1.name: name "a" is used twice; each OID needs its own name',
    ],
    [[], 'oids: Too small: expected array to have >=1 items'],
    [Array.from({ length: MAX_SNMP_OIDS + 1 }, (_, i) => ({ oid: `1.3.${i}`, name: `n${i}` })), `oids: at most ${MAX_SNMP_OIDS} OIDs`],
    [undefined, 'oids: the oids template needs a list of { oid, name }'],
  ])('refuses the list %#', (oids, message) => {
    expect(zodProblem(check(oids))).toBe(message);
    expect(agentProblem(check(oids))).toBeDefined();
  });

  it('only the oids template takes a list of OIDs', () => {
    const c = check([{ oid: '1.3.6.1', name: 'a' }], 'network');
    expect(zodProblem(c)).toBe('oids: only the oids template reads a list of OIDs; the network template has its own');
    expect(agentProblem(c)).toBe('config.probe.targets.0.checks.0.oids: only the oids template reads a list of OIDs');
  });
});
