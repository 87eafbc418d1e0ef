/**
 * The "needs re-enrollment" list on a real server: upgrades refused for an unknown credential are
 * recorded with what the agent claimed in its headers (checked, never trusted: junk is dropped),
 * its address and when; at most one write per credential per 5 minutes; bounded; settled when the
 * device connects with a valid credential; dismissed by a technician with an audit entry. The
 * whole restore → listed → re-enrolled path with install.sh is in tests/agent/install-sh.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { createRefusedAgentStore, MAX_REFUSED_ROWS } from '../../server/store/refused-agents.js';
import { createUser } from '../helpers/oncall-setup.js';

let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** One upgrade attempt; resolves with the HTTP status. */
function upgrade(url: string, token: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/agent/ws`, { headers: { authorization: `Bearer ${token}`, ...headers } });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    ws.once('error', () => undefined);
  });
}

describe('agents that need re-enrollment', () => {
  it('lists refused credentials with the checked claims, settles them on a valid connection, and a technician dismisses one (audited)', async () => {
    t = await startTestServer();
    const api = new ApiClient(t.url);
    await api.login();
    const dev = await enrollTestDevice(api, { hostname: 'pc-restored' });
    const claims = {
      'x-quarkpulse-device-id': 'gone-device-1',
      'x-quarkpulse-hostname': encodeURIComponent('kantoor-pc ü'),
      'x-quarkpulse-platform': 'windows-x64',
    };
    expect(await upgrade(t.url, 'qpd_unknown_credential_1', claims)).toBe(401);
    expect(await upgrade(t.url, 'qpd_unknown_credential_1', claims)).toBe(401);
    // Junk claims are dropped, not stored.
    expect(
      await upgrade(t.url, 'qpd_unknown_credential_2', {
        'x-quarkpulse-device-id': '../etc',
        'x-quarkpulse-hostname': '%E0%A4%A',
        'x-quarkpulse-platform': 'Linux X64!',
      }),
    ).toBe(401);
    // The device's own hostname, refused with an old credential: settled when it connects validly.
    expect(await upgrade(t.url, 'qpd_unknown_credential_3', { 'x-quarkpulse-device-id': 'old-id-of-pc', 'x-quarkpulse-hostname': 'pc-restored' })).toBe(401);

    const list = (await api.get('/api/refused-agents')).json as {
      id: string;
      deviceId: string | null;
      hostname: string | null;
      platform: string | null;
      remoteIp: string;
      attempts: number;
      isKnownDevice: boolean;
    }[];
    expect(list).toHaveLength(3);
    const first = list.find((r) => r.deviceId === 'gone-device-1')!;
    // The second attempt within 5 minutes is counted with the next write, not written now.
    expect(first).toMatchObject({ hostname: 'kantoor-pc ü', platform: 'windows-x64', attempts: 1, isKnownDevice: false });
    expect(first.remoteIp).toMatch(/127\.0\.0\.1$/);
    expect(list.find((r) => r.deviceId === null)).toMatchObject({ hostname: null, platform: null });

    expect(await upgrade(t.url, dev.deviceToken)).toBe(101);
    const after = (await api.get('/api/refused-agents')).json as { hostname: string | null }[];
    expect(after.map((r) => r.hostname).sort()).toEqual([null, 'kantoor-pc ü'].sort());

    await createUser(api, 'tech', 'technician', null);
    await createUser(api, 'vera', 'viewer', null);
    const viewer = new ApiClient(t.url);
    await viewer.login('vera', 'vera-password-1');
    expect((await viewer.request('DELETE', `/api/refused-agents/${first.id}`)).status).toBe(403);
    const tech = new ApiClient(t.url);
    await tech.login('tech', 'tech-password-1');
    expect((await tech.request('DELETE', `/api/refused-agents/${first.id}`)).status).toBe(204);
    expect((await tech.request('DELETE', `/api/refused-agents/${first.id}`)).status).toBe(404);
    const audit = (await api.get('/api/audit?limit=5')).json.entries.map((e: { action: string; summary: string }) => `${e.action}: ${e.summary}`);
    expect(audit.find((a: string) => a.startsWith('refused-agent.dismiss'))).toMatch(
      /^refused-agent\.dismiss: dismissed the refused agent kantoor-pc ü from (::ffff:)?127\.0\.0\.1$/,
    );
  });

  it('keeps at most 1,000 entries however many credentials are refused', () => {
    return (async () => {
      t = await startTestServer();
      const store = createRefusedAgentStore(t.server.db);
      const t0 = Date.now();
      for (let i = 0; i < MAX_REFUSED_ROWS + 50; i++) store.record({ tokenHash: `hash-${String(i).padStart(5, '0')}`, atMs: t0 + i });
      const list = store.list();
      expect(list).toHaveLength(MAX_REFUSED_ROWS);
      // The newest are kept.
      expect(list[0]!.lastSeenMs).toBe(t0 + MAX_REFUSED_ROWS + 49);
      // One credential written once per 5 minutes; the attempts in between counted at the next write.
      store.record({ tokenHash: 'again', atMs: t0 + 2_000 });
      store.record({ tokenHash: 'again', atMs: t0 + 3_000 });
      store.record({ tokenHash: 'again', atMs: t0 + 4_000 });
      expect(store.list().find((r) => r.lastSeenMs === t0 + 2_000)).toMatchObject({ attempts: 1 });
      store.record({ tokenHash: 'again', atMs: t0 + 2_000 + 5 * 60_000 });
      expect(store.list()[0]).toMatchObject({ attempts: 4, lastSeenMs: t0 + 2_000 + 5 * 60_000 });
    })();
  });
});
