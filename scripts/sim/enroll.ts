/**
 * Enrolls simulated devices through the real REST API: logs in as an admin, creates (or reuses)
 * a client, issues one enrollment token, and POSTs /api/enroll once per device with machineId
 * `sim-<n>` (re-enrolling the same machine reuses its device). Credentials are cached in a JSON
 * file so a re-run against the same server skips enrollment.
 *
 * /api/enroll is rate-limited per source address (60 a minute), as it should be; 15,000 real
 * machines come from 15,000 addresses, so the simulator spreads its requests over 500 addresses
 * (127.0.2.1–250 and 127.0.3.1–250) the same way.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import type { SimCredential } from './sim-agent.js';

export interface EnrollOptions {
  serverUrl: string;
  username: string;
  password: string;
  count: number;
  /** JSON cache of credentials; reused when it was written for the same server. */
  cacheFile?: string;
  clientName?: string;
  concurrency?: number;
  log?: (msg: string) => void;
}

interface Cache {
  serverUrl: string;
  clientId: string;
  credentials: SimCredential[];
}

function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  localAddress?: string,
): Promise<{ status: number; json: any; setCookie?: string }> {
  const data = JSON.stringify(body);
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          let json: any;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          const sc = res.headers['set-cookie']?.[0]?.split(';')[0];
          resolve({ status: res.statusCode ?? 0, json, setCookie: sc });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Returns `count` device credentials for the server, enrolling what the cache lacks. */
export async function enrollFleet(opts: EnrollOptions): Promise<SimCredential[]> {
  const log = opts.log ?? (() => {});
  let cache: Cache | undefined;
  if (opts.cacheFile && existsSync(opts.cacheFile)) {
    const c = JSON.parse(readFileSync(opts.cacheFile, 'utf8')) as Cache;
    if (c.serverUrl === opts.serverUrl) cache = c;
  }
  if (cache && cache.credentials.length >= opts.count) return cache.credentials.slice(0, opts.count);

  const login = await postJson(`${opts.serverUrl}/api/login`, { username: opts.username, password: opts.password }, {});
  if (login.status !== 200 || !login.setCookie) throw new Error(`admin login failed (${login.status}): check --username/--password or QP_ADMIN_PASSWORD`);
  const cookie = { cookie: login.setCookie };
  const clientName = opts.clientName ?? 'Simulated fleet';
  let clientId = cache?.clientId;
  if (!clientId) {
    const created = await postJson(`${opts.serverUrl}/api/clients`, { name: clientName, contract: 'monthly', monthlyFee: 0, hourlyRate: 0 }, cookie);
    if (created.status === 201) clientId = created.json.id as string;
    else if (created.status === 409) {
      const list = (await (await fetch(`${opts.serverUrl}/api/clients`, { headers: cookie })).json()) as { id: string; name: string }[];
      clientId = list.find((c) => c.name === clientName)?.id;
    }
    if (!clientId) throw new Error(`could not create client "${clientName}" (${created.status})`);
  }
  const tok = await postJson(`${opts.serverUrl}/api/clients/${clientId}/enrollment-tokens`, { label: 'simulator' }, cookie);
  if (tok.status !== 201) throw new Error(`could not issue an enrollment token (${tok.status})`);
  const token = tok.json.token as string;

  const credentials: SimCredential[] = cache?.credentials.slice() ?? [];
  const start = credentials.length;
  let next = start;
  const concurrency = opts.concurrency ?? 32;
  const started = Date.now();
  async function worker(w: number): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= opts.count) return;
      const hostname = `sim-${String(i).padStart(5, '0')}`;
      const localAddress = `127.0.${2 + (i % 2)}.${1 + (Math.floor(i / 2) % 250)}`;
      void w;
      for (let attempt = 0; ; attempt++) {
        const r = await postJson(`${opts.serverUrl}/api/enroll`, { token, hostname, machineId: hostname }, {}, localAddress);
        if (r.status === 200 || r.status === 201) {
          credentials[i] = { deviceId: r.json.deviceId, deviceToken: r.json.deviceToken, hostname };
          break;
        }
        if (r.status !== 429 || attempt > 60) throw new Error(`enrollment of ${hostname} failed (${r.status}): ${JSON.stringify(r.json)}`);
        await new Promise((res) => setTimeout(res, 1_000 + Math.random() * 2_000));
      }
      if ((i + 1) % 1000 === 0) log(`enrolled ${i + 1}/${opts.count} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  if (opts.cacheFile) {
    mkdirSync(path.dirname(opts.cacheFile), { recursive: true });
    writeFileSync(opts.cacheFile, JSON.stringify({ serverUrl: opts.serverUrl, clientId, credentials } satisfies Cache));
  }
  return credentials.slice(0, opts.count);
}
