/**
 * Test harness: a real server on port 0 over a real SQLite file in a temp dir, and a small HTTP
 * client that keeps the session cookie. Every test builds its own and closes it in afterEach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createServer, type QuarkpulseServer, type ServerOptions } from '../../server/index.js';

export const ADMIN_PASSWORD = 'correct-horse-battery';

export interface TestServer {
  server: QuarkpulseServer;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts a real server on 127.0.0.1 with a fresh data dir (or the given one, kept on close) on
 * port 0 (or the given port, to bring a server back where its agents expect it).
 */
export async function startTestServer(opts: Partial<ServerOptions> = {}, port = 0): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'qp-test-'));
  const server = await createServer({ adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }), ...opts, dataDir });
  await server.listen(port, '127.0.0.1');
  return {
    server,
    url: server.url(),
    dataDir,
    async close() {
      await server.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A JSON HTTP client with a cookie jar of one session. */
export class ApiClient {
  cookie = '';
  constructor(readonly baseUrl: string) {}

  async request(method: string, urlPath: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(this.baseUrl + urlPath, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }
  get(p: string) {
    return this.request('GET', p);
  }
  post(p: string, body?: unknown, headers?: Record<string, string>) {
    return this.request('POST', p, body ?? {}, headers);
  }
  put(p: string, body: unknown) {
    return this.request('PUT', p, body);
  }
  delete(p: string) {
    return this.request('DELETE', p);
  }

  /** Logs in and keeps the session cookie. */
  async login(username = 'admin', password = ADMIN_PASSWORD) {
    const r = await this.post('/api/login', { username, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.text}`);
    return r;
  }
}

/** Creates a client and an enrollment token, enrolls a device, and returns its credential. */
export async function enrollTestDevice(
  api: ApiClient,
  opts: { clientName?: string; contract?: 'monthly' | 'break-fix'; hostname?: string; machineId?: string } = {},
) {
  const clientName = opts.clientName ?? `Client ${Math.random().toString(36).slice(2, 8)}`;
  let client = (await api.get('/api/clients')).json.find((c: { name: string }) => c.name === clientName);
  if (!client) {
    const created = await api.post('/api/clients', { name: clientName, contract: opts.contract ?? 'monthly', monthlyFee: 500, hourlyRate: 90 });
    if (created.status !== 201) throw new Error(`client create failed: ${created.text}`);
    client = created.json;
  }
  const tok = await api.post(`/api/clients/${client.id}/enrollment-tokens`, {});
  const enrolled = await api.post('/api/enroll', {
    token: tok.json.token,
    hostname: opts.hostname ?? 'test-host',
    ...(opts.machineId ? { machineId: opts.machineId } : {}),
  });
  if (enrolled.status !== 201 && enrolled.status !== 200) throw new Error(`enroll failed: ${enrolled.text}`);
  return {
    clientId: client.id as string,
    deviceId: enrolled.json.deviceId as string,
    deviceToken: enrolled.json.deviceToken as string,
    enrollmentToken: tok.json.token as string,
  };
}
