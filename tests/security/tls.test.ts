/**
 * TLS on the real server with a certificate from a throw-away private CA (real openssl): https
 * and wss are served, plain HTTP on that port is not; responses carry HSTS; the session cookie is
 * Secure (and HttpOnly, SameSite=Strict), also when it is cleared. Without TLS there is no HSTS
 * and no Secure flag — unless QP_PUBLIC_URL says browsers come through an https proxy.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { makePrivateCa } from '../agent/helpers/private-ca.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string; ca?: Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https') ? https : http;
    const req = lib.request(url, { method: opts.method ?? 'GET', headers: opts.headers, ca: opts.ca }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const login = (url: string, ca?: Buffer) =>
  request(`${url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    ca,
  });

let dir: string;
let ca: Buffer;
let certFile: string;
let keyFile: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-sec-tls-'));
  const made = makePrivateCa(dir);
  ca = fs.readFileSync(made.caFile);
  certFile = made.certFile;
  keyFile = made.keyFile;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('TLS', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('serves https and wss with HSTS and Secure cookies, and does not answer plain HTTP', async () => {
    t = await startTestServer({ tls: { certFile, keyFile } });
    const health = await request(`${t.url}/api/health`, { ca });
    expect(health.status).toBe(200);
    expect(health.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect(health.headers['content-security-policy']).toContain('upgrade-insecure-requests');

    const logged = await login(t.url, ca);
    expect(logged.status).toBe(200);
    const cookie = logged.headers['set-cookie']![0]!;
    expect(cookie).toMatch(/^qp_session=[A-Za-z0-9_-]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const out = await request(`${t.url}/api/logout`, { method: 'POST', headers: { cookie: cookie.split(';')[0]! }, ca });
    expect(out.headers['set-cookie']![0]).toMatch(/; Secure;/);

    // The certificate is checked: without the CA the client refuses, and plain HTTP gets nowhere.
    await expect(request(`${t.url}/api/health`)).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
    await expect(request(`${t.url.replace('https', 'http')}/api/health`)).rejects.toThrow();

    // wss:// for agents: the upgrade is refused on credentials, after TLS, like on plain ws.
    const ws = new WebSocket(t.url.replace('https', 'wss') + AGENT_WS_PATH, { ca, headers: { authorization: 'Bearer qpd_unknown-0123456789' } });
    const status = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(401);
  });

  it('without TLS: no HSTS and no Secure flag (the cookie would not survive plain HTTP otherwise)', async () => {
    t = await startTestServer();
    expect((await request(`${t.url}/api/health`)).headers['strict-transport-security']).toBeUndefined();
    const cookie = (await login(t.url)).headers['set-cookie']![0]!;
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict$/);
  });

  it('behind a TLS-terminating proxy (https QP_PUBLIC_URL): HSTS and Secure cookies on the plain listener', async () => {
    t = await startTestServer({ publicUrl: 'https://monitor.example.com' });
    expect((await request(`${t.url}/api/health`)).headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    expect((await login(t.url)).headers['set-cookie']![0]).toMatch(/; Secure; SameSite=Strict$/);
    // Plain-HTTP clients other than browsers (curl, scripts) still work with the header token.
    expect((await new ApiClient(t.url).get('/api/health')).status).toBe(200);
  });
});
