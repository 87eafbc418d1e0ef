/**
 * Property-based fuzzing of the REST API (fast-check) on a real server, as an admin (the role
 * that reaches the most code): every registered route — read from the express app, so new routes
 * are covered — gets generated path parameters, query strings and bodies (arbitrary JSON, broken
 * JSON, huge numbers, Infinity, deep nesting, wrong content types). Every answer is a 2xx or a
 * 4xx with `{ error: { code, message } }`; never a 500, never a stack trace. Then a table of the
 * transport-level cases with their exact codes.
 */
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/api/app.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { listRoutes, type RouteInfo } from '../helpers/routes.js';
import { captureLog } from './helpers/log-capture.js';

/** Routes that end or change the fuzzing session itself. */
const SKIP = new Set(['POST /api/logout', 'POST /api/login', 'POST /api/me/password']);
const STACK = /\n\s+at |\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+/;

let cases = 0;

describe('REST API fuzzing', () => {
  let t: TestServer;
  let admin: ApiClient;
  let routes: RouteInfo[];
  const log = captureLog('error');

  beforeAll(async () => {
    t = await startTestServer({ logger: log.logger });
    admin = new ApiClient(t.url);
    await admin.login();
    routes = listRoutes(createApp(t.server.ctx, mkdtempSync(path.join(tmpdir(), 'qp-no-dashboard-')))).filter(
      (r) => !SKIP.has(`${r.method} ${r.path}`) && r.path !== '/',
    );
  });
  afterAll(async () => {
    console.info(`REST fuzz: ${cases} generated requests over ${routes.length} routes`);
    await t?.close();
  });

  function expectWellFormed(r: { status: number; text: string; json: any; headers: Headers }, what: string): void {
    expect(r.status, what).toBeLessThan(500);
    expect(r.text, what).not.toMatch(STACK);
    // The acknowledge links and the clients' status pages are pages for people: they answer HTML.
    if (r.status >= 400 && !what.includes(' /ack/') && !what.includes(' /status/')) {
      expect(r.headers.get('content-type'), what).toMatch(/^application\/json/);
      expect(r.json, what).toEqual({ error: { code: expect.stringMatching(/^[A-Z][A-Z0-9_]*$/), message: expect.any(String) } });
    }
  }

  const segment = fc.oneof(
    fc.constantFrom('x', '1', '0', '-1', 'default-offline', 'admin', '..', '%2e%2e%2f', '%00', 'null', 'undefined', '1e999', '__proto__', 'constructor'),
    fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
    fc.constant('a'.repeat(5_000)),
  );
  const queryValue = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom('1e999', '-1', 'NaN', '9007199254740993', '[]', '{}', ''),
    fc.integer().map(String),
  );
  const query = fc.dictionary(
    fc.constantFrom('limit', 'from', 'to', 'name', 'points', 'client', 'device', 'state', 'before', 'month', 'months', 'kind', 'x', '__proto__'),
    queryValue,
    { maxKeys: 4 },
  );
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc
      .record({ name: fc.string(), contract: fc.string(), role: fc.string(), type: fc.string(), config: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '{"limit": 1e999}',
      '{"minutes": -1e999}',
      '{"threshold": 1E400}',
      '{"a":',
      '{"__proto__": {"isAdmin": true}}',
      '{"constructor": {"prototype": {}}}',
      'null',
      '"text"',
      '[]',
      '',
    ),
    fc.string({ maxLength: 50 }),
  );

  it('never answers 500 or leaks a stack trace, whatever the route, parameters, query and body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), segment, query, body, fc.boolean(), async (route, seg, q, b, isJson) => {
        cases++;
        const p = route.path.replace(/:(\w+)/g, () => seg);
        const qs = new URLSearchParams(q).toString();
        const url = `${p}${qs ? `?${qs}` : ''}`;
        const hasBody = route.method !== 'GET' && route.method !== 'HEAD';
        const r = await admin.request(
          route.method,
          url,
          hasBody ? b : undefined,
          hasBody ? { 'content-type': isJson ? 'application/json' : 'text/plain' } : {},
        );
        expectWellFormed(r, `${route.method} ${url} ${hasBody ? b.slice(0, 100) : ''}`);
      }),
      { numRuns: 400 },
    );
    // Nothing reached the error middleware as an unexpected failure.
    expect(log.lines().filter((l) => l.msg === 'unhandled error in request')).toEqual([]);
    // And the session still works.
    expect((await admin.get('/api/me')).status).toBe(200);
  });

  // Near-valid bodies: the field names the API uses, with values of every kind, so validation
  // beyond the first level (refinements, cross-field checks) runs too.
  const FIELDS = [
    'name',
    'contract',
    'monthlyFee',
    'hourlyRate',
    'currency',
    'timezone',
    'contact',
    'type',
    'config',
    'url',
    'webhookUrl',
    'serverUrl',
    'secret',
    'host',
    'port',
    'topic',
    'accessToken',
    'from',
    'tls',
    'auth',
    'user',
    'pass',
    'scope',
    'clientId',
    'deviceId',
    'kind',
    'metric',
    'op',
    'threshold',
    'clearThreshold',
    'forMs',
    'labels',
    'severity',
    'isEnabled',
    'overridesRuleId',
    'startsAtMs',
    'endsAtMs',
    'days',
    'startTime',
    'endTime',
    'layers',
    'userIds',
    'startDate',
    'handoffTime',
    'levels',
    'afterMs',
    'targets',
    'repeat',
    'isDefault',
    'clientIds',
    'minutes',
    'date',
    'note',
    'text',
    'assignee',
    'title',
    'role',
    'username',
    'password',
    'email',
    'handle',
    'channelId',
    'label',
    'expiresInHours',
    'expiresInDays',
    'intervalMs',
    'watchedServices',
    'collectors',
    'to',
  ] as const;
  const leaf = fc.oneof(
    fc.constantFrom<unknown>(
      'not a url',
      'http://',
      'https://u:p@127.0.0.1/x',
      'ftp://x',
      'Europe/Nowhere',
      '25:61',
      '2025-02-30',
      'above',
      'global',
      'monthly',
      'webhook',
      '',
      null,
      true,
      -1,
      0,
      1e308,
      2 ** 53 + 1,
      [],
      {},
    ),
    fc.string({ maxLength: 30 }),
    fc.integer(),
    fc.double(),
  );
  const nearValid: fc.Arbitrary<unknown> = fc.letrec<{ obj: unknown }>((tie) => ({
    obj: fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof({ maxDepth: 3 }, leaf, tie('obj'), fc.array(tie('obj'), { maxLength: 3 })), { maxKeys: 6 }),
  })).obj;

  it('never answers 500 to near-valid bodies on the routes that change state', async () => {
    const writes = routes.filter((r) => r.method !== 'GET');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...writes), nearValid, async (route, b) => {
        cases++;
        const p = route.path.replace(/:(\w+)/g, 'x');
        const r = await admin.request(route.method, p, JSON.stringify(b));
        expectWellFormed(r, `${route.method} ${p} ${JSON.stringify(b).slice(0, 200)}`);
      }),
      { numRuns: 400 },
    );
    expect(log.lines().filter((l) => l.msg === 'unhandled error in request')).toEqual([]);
    expect((await admin.get('/api/me')).status).toBe(200);
  });

  // Channel configs are validated by each channel type's own schema: aim at them directly.
  it('never answers 500 to generated channel configs', async () => {
    const config = fc.dictionary(
      fc.constantFrom('url', 'webhookUrl', 'serverUrl', 'secret', 'host', 'port', 'topic', 'accessToken', 'from', 'tls', 'secure', 'auth', 'priority'),
      leaf,
      { maxKeys: 5 },
    );
    const channel = fc.record({
      type: fc.constantFrom('webhook', 'slack', 'teams', 'ntfy', 'email', 'pager'),
      name: fc.string({ minLength: 1, maxLength: 20 }),
      config,
    });
    await fc.assert(
      fc.asyncProperty(channel, async (c) => {
        cases++;
        const r = await admin.post('/api/channels', c);
        expectWellFormed(r, JSON.stringify(c));
        if (r.status === 201) await admin.delete(`/api/channels/${r.json.id}`);
      }),
      { numRuns: 200 },
    );
  });

  const transport: [string, string, string | undefined, Record<string, string>, number, string][] = [
    ['broken JSON', '/api/clients', '{"name": "x", ', {}, 400, 'INVALID_JSON'],
    ['a body over 256 KiB', '/api/clients', JSON.stringify({ name: 'x'.repeat(300_000), contract: 'monthly' }), {}, 413, 'PAYLOAD_TOO_LARGE'],
    ['a form body', '/api/clients', 'name=x&contract=monthly', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['Infinity in a number field', '/api/clients', '{"name":"Inf Co","contract":"monthly","monthlyFee":1e999}', {}, 400, 'VALIDATION_FAILED'],
    ['100,000 levels of nesting', '/api/clients', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, {}, 400, 'VALIDATION_FAILED'],
    ['a prototype-polluting key', '/api/clients', '{"name":"Proto Co","contract":"monthly","__proto__":{"isAdmin":true}}', {}, 400, 'VALIDATION_FAILED'],
    ['a missing body on a create', '/api/clients', undefined, {}, 400, 'VALIDATION_FAILED'],
  ];
  it.each(transport)('answers %s precisely', async (_label, p, b, headers, status, code) => {
    cases++;
    const r = await admin.request('POST', p, b, headers);
    expect([r.status, r.json?.error?.code]).toEqual([status, code]);
    expectWellFormed(r, p);
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  });
});
