/**
 * The dashboard language per user: GET /api/me shows it (null follows the browser), PUT
 * /api/me/locale sets it for the signed-in user only, validates it, and audits a change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('user locale', () => {
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
  });

  it('is null until chosen, then kept per user, validated and audited', async () => {
    t = await startTestServer();
    const admin = new ApiClient(t.url);
    await admin.login();
    expect((await admin.get('/api/me')).json.locale).toBeNull();

    const set = await admin.request('PUT', '/api/me/locale', { locale: 'nl' });
    expect([set.status, set.json]).toEqual([200, { locale: 'nl' }]);
    expect((await admin.get('/api/me')).json.locale).toBe('nl');

    expect((await admin.request('PUT', '/api/me/locale', { locale: 'de' })).json.error.code).toBe('VALIDATION_FAILED');
    expect((await admin.request('PUT', '/api/me/locale', { locale: 'nl', extra: 1 })).json.error.code).toBe('VALIDATION_FAILED');

    const audit = (await admin.get('/api/audit?entityType=user')).json;
    const entries = audit.entries as { summary: string; detail?: unknown }[];
    expect(entries.filter((e) => e.summary.includes('changed their language'))).toHaveLength(1);

    // Setting the same language again writes no second entry; null goes back to the browser.
    await admin.request('PUT', '/api/me/locale', { locale: 'nl' });
    expect((await admin.request('PUT', '/api/me/locale', { locale: null })).json).toEqual({ locale: null });
    expect((await admin.get('/api/me')).json.locale).toBeNull();
  });
});
