/**
 * Debian's snmpd as a throw-away test partner: started by the test on a free loopback UDP port
 * with its own config (-C: no system config) and persistent dir, serving Printer-MIB / UPS-MIB
 * values through `override` lines. `setValues` rewrites them and restarts snmpd on the same port
 * (a printer whose toner went down); `restart` restarts it as it is (sysUpTime, snmpd's own
 * uptime, starts again: a rebooted switch); `stop` makes the device fall silent. Without overrides
 * it serves the machine's real IF-MIB (lo, eth0 …); `makeLinkPair` adds a veth pair to it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';

export const SNMPD = ['/usr/sbin/snmpd', '/usr/bin/snmpd'].find((p) => fs.existsSync(p));

/** An override: OID, snmpd type (integer, octet_str, counter …) and value. */
export type Override = [oid: string, type: string, value: string | number];

export interface TestSnmpd {
  port: number;
  setValues(values: Override[]): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Starts snmpd with community `public`, v3 user `qpuser` (SHA/AES, keys below) and `values`. */
export async function startSnmpd(
  dir: string,
  values: Override[],
  opts: { address?: string; port?: number; sysDescr?: string; sysName?: string } = {},
): Promise<TestSnmpd> {
  if (!SNMPD) throw new Error('snmpd is not installed: apt-get install snmpd');
  fs.mkdirSync(dir, { recursive: true });
  const address = opts.address ?? '127.0.0.1';
  const port = opts.port ?? (await freeUdpPort());
  let child: ChildProcess | undefined;
  const conf = path.join(dir, 'snmpd.conf');
  const write = (v: Override[]) =>
    fs.writeFileSync(
      conf,
      [
        `agentaddress udp:${address}:${port}`,
        'rocommunity public 127.0.0.0/8',
        ...(opts.sysDescr ? [`sysdescr ${opts.sysDescr}`] : []),
        ...(opts.sysName ? [`sysname ${opts.sysName}`] : []),
        `createUser qpuser SHA "${V3_AUTH_KEY}" AES "${V3_PRIV_KEY}"`,
        'rouser qpuser priv',
        ...v.map(([oid, type, value]) => `override ${oid} ${type} ${typeof value === 'string' ? JSON.stringify(value) : value}`),
        '',
      ].join('\n'),
    );
  const start = async () => {
    child = spawn(SNMPD, ['-f', '-Lo', '-C', '-c', conf], {
      env: { ...process.env, SNMP_PERSISTENT_DIR: path.join(dir, 'persist'), MIBS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    // Ready once it answers a GET of sysUpTime.
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await answers(address, port)) return;
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`snmpd did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  write(values);
  await start();
  return {
    port,
    async setValues(v) {
      await stop();
      write(v);
      await start();
    },
    async restart() {
      await stop();
      await start();
    },
    stop,
  };
}

/**
 * A veth pair `<name>a` ↔ `<name>b` (needs root and iproute2; the sandbox kernel has no dummy
 * links, veth it has). Taking `b` down leaves `a` administratively up with its carrier gone:
 * a cable pulled at the far end. Undefined where links cannot be made.
 */
export interface LinkPair {
  a: string;
  b: string;
  setUp(which: 'a' | 'b', isUp: boolean): void;
  remove(): void;
}
export function makeLinkPair(name: string): LinkPair | undefined {
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const pair = { a: `${name}a`, b: `${name}b` };
  try {
    ip('link', 'add', pair.a, 'type', 'veth', 'peer', 'name', pair.b);
  } catch {
    return undefined;
  }
  return {
    ...pair,
    setUp: (which, isUp) => ip('link', 'set', pair[which], isUp ? 'up' : 'down'),
    remove: () => {
      try {
        ip('link', 'del', pair.a); // takes its peer with it
      } catch {
        // already gone
      }
    },
  };
}

export const V3_AUTH_KEY = 'authpass123';
export const V3_PRIV_KEY = 'privpass123';

/** One SNMPv2c GET of sysUpTime.0 (community public) answered within 300 ms. */
async function answers(address: string, port: number): Promise<boolean> {
  // GetRequest, version 2c, community "public", request id 1, sysUpTime.0
  const oid = Buffer.from([0x06, 0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00]);
  const varbind = Buffer.concat([Buffer.from([0x30, oid.length + 2]), oid, Buffer.from([0x05, 0x00])]);
  const list = Buffer.concat([Buffer.from([0x30, varbind.length]), varbind]);
  const pdu = Buffer.concat([Buffer.from([0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]), list]);
  const pduT = Buffer.concat([Buffer.from([0xa0, pdu.length]), pdu]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01, 0x04, 0x06]), Buffer.from('public'), pduT]);
  const msg = Buffer.concat([Buffer.from([0x30, body.length]), body]);
  const s = dgram.createSocket('udp4');
  try {
    return await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      s.once('message', () => {
        clearTimeout(timer);
        resolve(true);
      });
      s.send(msg, port, address);
    });
  } finally {
    s.close();
  }
}

/** Printer-MIB values of a colour printer with two toners, one tray and a page counter. */
export function printerValues(opts: { blackPct: number; cyanPct?: number; errorState?: string; supplyLevel?: number }): Override[] {
  const black = opts.supplyLevel ?? opts.blackPct; // capacity 100, so level = %
  return [
    ['.1.3.6.1.2.1.25.3.5.1.1.1', 'integer', 3],
    ...(opts.errorState !== undefined ? ([['.1.3.6.1.2.1.25.3.5.1.2.1', 'octet_str', opts.errorState]] as Override[]) : []),
    ['.1.3.6.1.2.1.43.10.2.1.4.1.1', 'counter', 12345],
    ['.1.3.6.1.2.1.43.11.1.1.3.1.1', 'integer', 1],
    ['.1.3.6.1.2.1.43.11.1.1.5.1.1', 'integer', 21],
    ['.1.3.6.1.2.1.43.11.1.1.6.1.1', 'octet_str', 'Black Toner Cartridge'],
    ['.1.3.6.1.2.1.43.11.1.1.8.1.1', 'integer', 100],
    ['.1.3.6.1.2.1.43.11.1.1.9.1.1', 'integer', black],
    ['.1.3.6.1.2.1.43.11.1.1.3.1.2', 'integer', 2],
    ['.1.3.6.1.2.1.43.11.1.1.5.1.2', 'integer', 21],
    ['.1.3.6.1.2.1.43.11.1.1.6.1.2', 'octet_str', 'Cyan Toner Cartridge'],
    ['.1.3.6.1.2.1.43.11.1.1.8.1.2', 'integer', 200],
    ['.1.3.6.1.2.1.43.11.1.1.9.1.2', 'integer', (opts.cyanPct ?? 80) * 2],
    ['.1.3.6.1.2.1.43.11.1.1.5.1.3', 'integer', 4],
    ['.1.3.6.1.2.1.43.11.1.1.6.1.3', 'octet_str', 'Waste Toner Box'],
    ['.1.3.6.1.2.1.43.11.1.1.8.1.3', 'integer', 100],
    ['.1.3.6.1.2.1.43.11.1.1.9.1.3', 'integer', 95],
    ['.1.3.6.1.2.1.43.12.1.1.4.1.1', 'octet_str', 'black'],
    ['.1.3.6.1.2.1.43.12.1.1.4.1.2', 'octet_str', 'cyan'],
    ['.1.3.6.1.2.1.43.8.2.1.9.1.1', 'integer', 500],
    ['.1.3.6.1.2.1.43.8.2.1.10.1.1', 'integer', 250],
    ['.1.3.6.1.2.1.43.8.2.1.13.1.1', 'octet_str', 'Tray 1'],
  ];
}

/** UPS-MIB values. */
export function upsValues(opts: { onBattery: boolean; chargePct: number }): Override[] {
  return [
    ['.1.3.6.1.2.1.33.1.2.1.0', 'integer', 2],
    ['.1.3.6.1.2.1.33.1.2.2.0', 'integer', opts.onBattery ? 120 : 0],
    ['.1.3.6.1.2.1.33.1.2.3.0', 'integer', 42],
    ['.1.3.6.1.2.1.33.1.2.4.0', 'integer', opts.chargePct],
    ['.1.3.6.1.2.1.33.1.4.1.0', 'integer', opts.onBattery ? 5 : 3],
  ];
}
