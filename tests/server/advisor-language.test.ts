/** The contract advisor answers its reasons in the language the dashboard asks for (lang=nl). */
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';

describe('advisor language', () => {
  let t: TestServer;
  afterEach(async () => {
    await t?.close();
  });

  it('gives Dutch reasons for lang=nl and English by default; refuses other languages', async () => {
    t = await startTestServer();
    const admin = new ApiClient(t.url);
    await admin.login();
    const client = (await admin.post('/api/clients', { name: 'Bakkerij Test', contract: 'monthly', monthlyFee: 100, hourlyRate: 80 })).json;
    const nl = (await admin.get(`/api/reports/contract-history?client=${client.id}&lang=nl`)).json;
    expect(nl.advice.reasons.join(' ')).toMatch(/Nog niet genoeg gegevens/);
    const en = (await admin.get(`/api/reports/contract-history?client=${client.id}`)).json;
    expect(en.advice.reasons.join(' ')).toMatch(/Not enough data/);
    expect((await admin.get(`/api/reports/contract-history?client=${client.id}&lang=de`)).json.error.code).toBe('VALIDATION_FAILED');
  });
});
