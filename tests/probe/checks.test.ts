/**
 * The agentless checks against real partners on loopback: TCP listeners, the system's ping (and
 * the TCP fallback without it), HTTP and HTTPS servers with redirects and keywords, TLS servers
 * with certificates from a test CA (one expiring in 5 days), and a DNS server.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheck } from '../../agent/probe/run-check.js';
import { startDnsResponder, type DnsResponder } from './dns-responder.js';
import { makeTestCa, type TestCa } from './test-ca.js';

const closers: (() => Promise<void> | void)[] = [];
let dir: string;
let ca: TestCa;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-probe-checks-'));
  ca = makeTestCa(dir);
});
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const value = (samples: { name: string; value: number }[], name: string) => samples.find((s) => s.name === name)?.value;

describe('TCP check', () => {
  it('an open port is up with its connect time; a closed one fails with the reason', async () => {
    const port = await listen(net.createServer((s) => s.destroy()));
    const open = await runCheck({ id: 'smb', type: 'tcp', host: '127.0.0.1', port });
    expect(open.result).toMatchObject({ checkId: 'smb', state: 'ok' });
    expect(open.result.message).toMatch(new RegExp(`^port ${port} on 127\\.0\\.0\\.1 accepts connections \\(\\d+(\\.\\d)? ms\\)$`));
    expect(value(open.samples, 'check.isUp')).toBe(1);
    expect(value(open.samples, 'check.latencyMs')).toBeGreaterThanOrEqual(0);

    const shut = await closedPort();
    const closed = await runCheck({ id: 'smb', type: 'tcp', host: '127.0.0.1', port: shut });
    expect(closed.result).toEqual({
      checkId: 'smb',
      state: 'failed',
      message: `port ${shut} on 127.0.0.1 does not accept connections: connect ECONNREFUSED 127.0.0.1:${shut}`,
    });
    expect(closed.samples).toEqual([{ name: 'check.isUp', labels: { check: 'smb' }, value: 0 }]);
  });
});

describe('ping check', () => {
  const hasPing = fs.existsSync('/usr/bin/ping') || fs.existsSync('/bin/ping');
  it.runIf(hasPing || process.env.CI === 'true')('pings loopback with the system ping (ICMP)', async () => {
    const r = await runCheck({ id: 'icmp', type: 'ping', host: '127.0.0.1', count: 2 });
    expect(r.result.state).toBe('ok');
    expect(r.result.message).toMatch(/^127\.0\.0\.1 answers ping: 2\/2 replies, 0% loss, [\d.]+ ms round trip$/);
    expect(value(r.samples, 'ping.isTcpFallback')).toBe(0);
    expect(value(r.samples, 'ping.lossPct')).toBe(0);
  });

  it('without ICMP it measures a TCP connect and says so', async () => {
    const port = await listen(net.createServer((s) => s.destroy()));
    const r = await runCheck({ id: 'icmp', type: 'ping', host: '127.0.0.1', count: 2, fallbackPort: port }, { pingCommand: '/nonexistent/ping' });
    expect(r.result.state).toBe('ok');
    expect(r.result.message).toMatch(
      new RegExp(
        `^127\\.0\\.0\\.1 answers: 2/2 TCP connects, [\\d.]+ ms \\(no /nonexistent/ping program on this probe; measured a TCP connect to port ${port} instead\\)$`,
      ),
    );
    expect(value(r.samples, 'ping.isTcpFallback')).toBe(1);
    const shut = await closedPort();
    const down = await runCheck({ id: 'icmp', type: 'ping', host: '127.0.0.1', count: 1, fallbackPort: shut }, { pingCommand: '/nonexistent/ping' });
    expect(down.result).toEqual({
      checkId: 'icmp',
      state: 'failed',
      message: `127.0.0.1 does not answer: 0/1 TCP connects to port ${shut}: connect ECONNREFUSED 127.0.0.1:${shut} (no /nonexistent/ping program on this probe; measured a TCP connect to port ${shut} instead)`,
    });
    expect(value(down.samples, 'check.isUp')).toBe(0);
  });
});

describe('HTTP check', () => {
  let base: string;
  let tlsBase: string;
  beforeAll(async () => {
    const handler: http.RequestListener = (req, res) => {
      if (req.url === '/old') return void res.writeHead(302, { location: '/' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welkom bij Bakkerij de Vries</h1>');
      res.writeHead(404).end('not here');
    };
    base = `http://127.0.0.1:${await listen(http.createServer(handler))}`;
    const cert = ca.issue('web', 30);
    tlsBase = `https://127.0.0.1:${await listen(https.createServer({ cert: cert.certPem, key: cert.keyPem }, handler))}`;
  });

  it('status, keyword and redirects', async () => {
    const ok = await runCheck({ id: 'site', type: 'http', url: `${base}/old`, keyword: 'Bakkerij' });
    expect(ok.result.state).toBe('ok');
    expect(ok.result.message).toMatch(new RegExp(`^${base}/old answers 200 after 1 redirect to ${base}/ in [\\d.]+ ms$`));
    expect([
      value(ok.samples, 'check.isUp'),
      value(ok.samples, 'http.statusCode'),
      value(ok.samples, 'http.redirectCount'),
      value(ok.samples, 'http.hasKeyword'),
    ]).toEqual([1, 200, 1, 1]);

    const noFollow = await runCheck({ id: 'site', type: 'http', url: `${base}/old`, maxRedirects: 0, expectStatusMin: 200, expectStatusMax: 299 });
    expect(noFollow.result).toEqual({ checkId: 'site', state: 'failed', message: `${base}/old: status 302, expected 200–299` });

    const missing = await runCheck({ id: 'site', type: 'http', url: `${base}/gone` });
    expect(missing.result).toEqual({ checkId: 'site', state: 'failed', message: `${base}/gone: status 404, expected 200–399` });

    const noKeyword = await runCheck({ id: 'site', type: 'http', url: `${base}/`, keyword: 'Slagerij' });
    expect(noKeyword.result).toEqual({ checkId: 'site', state: 'failed', message: `${base}/: the page does not contain "Slagerij"` });
    expect(value(noKeyword.samples, 'http.hasKeyword')).toBe(0);

    const loop = await runCheck({ id: 'site', type: 'http', url: `${base}/loop`, maxRedirects: 3 });
    expect(loop.result).toEqual({
      checkId: 'site',
      state: 'failed',
      message: `${base}/loop after 3 redirects to ${base}/loop: still redirecting after 3 redirects (a redirect loop?)`,
    });
  });

  it('HTTPS verifies the certificate: trusted with the extra CA, refused with the reason without it', async () => {
    const trusted = await runCheck({ id: 'site', type: 'http', url: `${tlsBase}/`, caPem: ca.caPem });
    expect(trusted.result.state).toBe('ok');
    const untrusted = await runCheck({ id: 'site', type: 'http', url: `${tlsBase}/` });
    expect(untrusted.result).toEqual({
      checkId: 'site',
      state: 'failed',
      message: `${tlsBase}/ did not answer: UNABLE_TO_VERIFY_LEAF_SIGNATURE: unable to verify the first certificate`,
    });
  });

  it('a server that does not answer fails with the reason', async () => {
    const shut = await closedPort();
    const r = await runCheck({ id: 'site', type: 'http', url: `http://127.0.0.1:${shut}/` });
    expect(r.result).toEqual({ checkId: 'site', state: 'failed', message: `http://127.0.0.1:${shut}/ did not answer: connect ECONNREFUSED 127.0.0.1:${shut}` });
  });
});

describe('TLS certificate check', () => {
  it('reports days left, and a chain that does not verify as its own state with the expiry still known', async () => {
    const cert = ca.issue('soon', 5);
    const port = await listen(https.createServer({ cert: cert.certPem, key: cert.keyPem }, (_q, s) => s.end()));
    const trusted = await runCheck({ id: 'cert', type: 'tls', host: '127.0.0.1', port, caPem: ca.caPem });
    expect(trusted.result.state).toBe('ok');
    expect(trusted.result.message).toMatch(/^certificate of soon expires in 5 days \(\d{4}-\d\d-\d\d\)$/);
    const days = value(trusted.samples, 'tls.certDaysLeft')!;
    expect(days).toBeGreaterThan(4.9);
    expect(days).toBeLessThanOrEqual(5);
    expect(value(trusted.samples, 'tls.isChainValid')).toBe(1);

    const untrusted = await runCheck({ id: 'cert', type: 'tls', host: '127.0.0.1', port });
    expect(untrusted.result.state).toBe('failed');
    expect(untrusted.result.message).toMatch(
      /^certificate of soon expires in 5 days \(\d{4}-\d\d-\d\d\); it does not verify: its issuer is not a trusted CA \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/,
    );
    expect(value(untrusted.samples, 'tls.certDaysLeft')).toBe(days);
    expect(value(untrusted.samples, 'tls.isChainValid')).toBe(0);
    expect(value(untrusted.samples, 'check.isUp')).toBe(1);

    // The chain verifies but the name does not: also "does not verify".
    const wrongName = await runCheck({ id: 'cert', type: 'tls', host: '127.0.0.1', port, serverName: 'printer.example.test', caPem: ca.caPem });
    expect(wrongName.result.message).toMatch(/; it does not verify: it is not issued for printer\.example\.test \(ERR_TLS_CERT_ALTNAME_INVALID\)$/);
    expect(value(wrongName.samples, 'tls.isChainValid')).toBe(0);
  });
});

describe('DNS check', () => {
  let dns: DnsResponder;
  beforeAll(async () => {
    dns = await startDnsResponder({ 'printer.example.test': '192.0.2.10' });
    closers.push(() => dns.close());
  });

  it('resolves at a given server, checks the expected address, and reports a name that does not exist', async () => {
    const ok = await runCheck({ id: 'dns', type: 'dns', name: 'printer.example.test', server: dns.address, expectAddress: '192.0.2.10' });
    expect(ok.result.state).toBe('ok');
    expect(ok.result.message).toMatch(new RegExp(`^printer\\.example\\.test resolves at ${dns.address} to 192\\.0\\.2\\.10 \\([\\d.]+ ms\\)$`));
    expect(value(ok.samples, 'dns.answerCount')).toBe(1);

    const wrong = await runCheck({ id: 'dns', type: 'dns', name: 'printer.example.test', server: dns.address, expectAddress: '192.0.2.11' });
    expect(wrong.result).toEqual({
      checkId: 'dns',
      state: 'failed',
      message: `printer.example.test resolves at ${dns.address} to 192.0.2.10, not to the expected 192.0.2.11`,
    });

    const missing = await runCheck({ id: 'dns', type: 'dns', name: 'scanner.example.test', server: dns.address });
    expect(missing.result).toEqual({
      checkId: 'dns',
      state: 'failed',
      message: `scanner.example.test does not resolve at ${dns.address}: queryA ENOTFOUND scanner.example.test`,
    });
  });

  it('uses the system resolver without a server', async () => {
    const r = await runCheck({ id: 'dns', type: 'dns', name: 'localhost' });
    expect(r.result.state).toBe('ok');
  });
});
