/**
 * REST writes during a storage fault (issue 17, item 6). Reproduction from outside: a write to
 * the API while the disk was full answered `500 INTERNAL`, which API.md reserves for bugs. Now
 * every write the database cannot take answers `503 STORAGE_UNAVAILABLE` with `Retry-After`, and
 * changes nothing: with many writes of several kinds in flight during a full disk (PRAGMA
 * max_page_count on the server's connection) and during a lock held by a second connection,
 * every write answered 2xx is stored, every 503 left no trace, and nothing answered 500.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { captureLog } from './helpers/log-capture.js';

const UNAVAILABLE = (description: string) => ({
  error: { code: 'STORAGE_UNAVAILABLE', message: `the server cannot store changes right now (${description}); nothing was changed, try again later` },
});

describe('REST writes during storage faults', () => {
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
  });

  async function setup() {
    const log = captureLog();
    t = await startTestServer({ logger: log.logger, storageUpkeep: false });
    const api = new ApiClient(t.url);
    await api.login();
    return { api, log };
  }
  const client = (name: string) => ({ name, contract: 'monthly', monthlyFee: 100, contact: 'x'.repeat(500) });

  it('answers 503 STORAGE_UNAVAILABLE (never 500) to writes in flight while the disk is full, and stores exactly the ones it accepted', async () => {
    const { api, log } = await setup();
    const existing = (await api.post('/api/clients', client('existing'))).json as { id: string };
    const db = t.server.db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    try {
      const day = Date.now() + 86_400_000;
      // Sixty writes of three kinds at once; the free space in the last pages takes a few of them.
      const writes = Array.from({ length: 60 }, (_, i) => {
        switch (i % 4) {
          case 0:
          case 1:
            return api.post('/api/clients', client(`full-${i}-${'n'.repeat(150)}`));
          case 2:
            return api.request('PATCH', `/api/clients/${existing.id}`, { contact: `patched-${i}-${'c'.repeat(480)}` });
          default:
            return api.post('/api/maintenance', {
              kind: 'one-off',
              name: `window-${i}-${'w'.repeat(100)}`,
              scope: { type: 'client', clientId: existing.id },
              startsAtMs: day + i * 3_600_000,
              endsAtMs: day + i * 3_600_000 + 1_800_000,
            });
        }
      });
      const answers = await Promise.all(writes);
      const statuses = answers.map((a) => a.status);
      expect(statuses.filter((s) => s === 500)).toEqual([]);
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length).toBeGreaterThan(10);
      for (const r of refused) {
        expect(r.json).toEqual(UNAVAILABLE('the disk (or the database size limit) is full'));
        expect(r.headers.get('retry-after')).toBe('5');
      }
      for (const a of answers) if (a.status !== 503) expect(a.status, a.text).toBeLessThan(300);

      db.pragma('max_page_count = 1073741823');
      // Exactly the clients answered 201 exist; none of the refused ones does.
      const names = new Set(((await api.get('/api/clients')).json as { name: string }[]).map((c) => c.name));
      answers.forEach((a, i) => {
        if (i % 4 < 2) expect(names.has(`full-${i}-${'n'.repeat(150)}`), `client ${i} answered ${a.status}`).toBe(a.status === 201);
      });
      // A write after the fault goes through again.
      expect((await api.post('/api/clients', client('after'))).status).toBe(201);
      expect(log.lines().filter((l) => l.msg === 'unhandled error in request')).toEqual([]);
      expect(log.lines().filter((l) => l.msg === 'request refused: the disk (or the database size limit) is full').length).toBe(refused.length);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.pragma('max_page_count = 1073741823');
    }
  });

  it('answers 503 STORAGE_UNAVAILABLE to writes in flight while another process holds the write lock', async () => {
    const { api } = await setup();
    t.server.db.pragma('busy_timeout = 100');
    const other = new Database(path.join(t.dataDir, 'quarkpulse.db'));
    other.exec('BEGIN EXCLUSIVE');
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => api.post('/api/clients', client(`locked-${i}`))));
      expect(answers.map((a) => [a.status, a.json])).toEqual(Array(10).fill([503, UNAVAILABLE('the database is locked by another process')]));
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const names = ((await api.get('/api/clients')).json as { name: string }[]).map((c) => c.name);
    expect(names.filter((n) => n.startsWith('locked-'))).toEqual([]);
    expect((await api.post('/api/clients', client('after-lock'))).status).toBe(201);
  });
});
