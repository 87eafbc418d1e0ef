/**
 * Cross-site WebSocket hijacking of the dashboard socket (issue 17, item 3). Reproduction from
 * outside: an upgrade of /live/ws carrying a valid session cookie and `Origin:
 * http://evil.example` used to get 101 and stream live data. The upgrade now follows the REST
 * CSRF policy: a foreign or opaque Origin is refused with 403 and the JSON error before any 101;
 * the server's own origin, and clients that send no Origin (not browsers), are let in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_WS_PATH } from '../../shared/protocol.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

describe('Origin check on the dashboard socket', () => {
  let t: TestServer;
  let cookie: string;
  const open: WsTestClient[] = [];
  beforeAll(async () => {
    t = await startTestServer();
    const api = new ApiClient(t.url);
    await api.login();
    cookie = api.cookie;
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await t?.close();
  });

  const upgrade = (headers: Record<string, string>) =>
    WsTestClient.connect(t.url.replace('http', 'ws') + LIVE_WS_PATH, headers).then(
      (c) => {
        open.push(c);
        return { status: 101, body: '' };
      },
      (e: { statusCode?: number; body?: string }) => ({ status: e.statusCode, body: e.body ? JSON.parse(e.body) : e.body }),
    );

  it('refuses foreign and opaque origins with 403 CSRF_REJECTED before 101, even with a valid session cookie', async () => {
    const { port } = new URL(t.url);
    const foreign = ['http://evil.example', `http://127.0.0.1:${Number(port) + 1}`, `http://127.0.0.1.evil.example:${port}`, 'http://localhost'];
    // Many upgrades in flight at once, hostile and legitimate mixed.
    const [hostile, opaque, garbage, own, none] = await Promise.all([
      Promise.all(foreign.map((origin) => upgrade({ cookie, origin }))),
      upgrade({ cookie, origin: 'null' }),
      upgrade({ cookie, origin: 'not a url' }),
      Promise.all(Array.from({ length: 5 }, () => upgrade({ cookie, origin: t.url }))),
      upgrade({ cookie }),
    ]);
    expect(hostile).toEqual(
      foreign.map((origin) => ({ status: 403, body: { error: { code: 'CSRF_REJECTED', message: `cross-origin request from ${origin} refused` } } })),
    );
    expect(opaque).toEqual({ status: 403, body: { error: { code: 'CSRF_REJECTED', message: 'requests from an opaque origin are refused' } } });
    expect(garbage).toEqual({ status: 403, body: { error: { code: 'CSRF_REJECTED', message: 'Origin header is not a URL' } } });
    expect(own).toEqual(Array(5).fill({ status: 101, body: '' }));
    expect(none).toEqual({ status: 101, body: '' });
  });

  it('still answers 401 to a same-origin upgrade without a session', async () => {
    expect(await upgrade({ origin: t.url })).toEqual({ status: 401, body: '' });
  });
});
