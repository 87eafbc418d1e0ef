/**
 * Secrets: enrollment tokens, device credentials (also rotated ones), session tokens, API tokens
 * and passwords are stored only as hashes — not in any row, not in the raw database or WAL
 * file — and no secret reaches the log, through a whole flow captured from a real pino logger
 * (logins good and bad, enrollment, rotation, API tokens, channels with a webhook secret, an SMTP
 * password, an ntfy access token, failing test sends). Channel secrets must be stored to be
 * used; they are masked in every API answer instead.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_WS_PATH } from '../../shared/protocol.js';
import { REDACTED } from '../../server/logging.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { ADMIN_PASSWORD, ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';
import { captureLog } from './helpers/log-capture.js';

describe('secrets at rest and in logs', () => {
  let t: TestServer | undefined;
  let smtp: SmtpReceiver | undefined;
  let http: HttpReceiver | undefined;
  const sockets: WsTestClient[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.ws.terminate();
    await t?.close();
    await smtp?.close();
    await http?.close();
  });

  it('keeps every credential hashed and out of the logs through a whole flow', async () => {
    const log = captureLog('trace');
    smtp = await startSmtpReceiver({ users: { relay: 'the-real-smtp-password' } });
    http = await startHttpReceiver();
    http.setRespond(() => 500);
    t = await startTestServer({ logger: log.logger });
    const secrets: string[] = [ADMIN_PASSWORD];

    const admin = new ApiClient(t.url);
    await admin.login();
    secrets.push(admin.cookie.split('=')[1]!);
    await new ApiClient(t.url).post('/api/login', { username: 'admin', password: 'wrong-password-typed-1' });
    secrets.push('wrong-password-typed-1');
    await admin.post('/api/users', { username: 'sam', password: 'sams-password-123', role: 'technician' });
    secrets.push('sams-password-123');
    const sam = new ApiClient(t.url);
    await sam.login('sam', 'sams-password-123');
    secrets.push(sam.cookie.split('=')[1]!);
    await sam.post('/api/me/password', { currentPassword: 'sams-password-123', newPassword: 'sams-new-password-456' });
    secrets.push('sams-new-password-456');

    const dev = await enrollTestDevice(admin);
    secrets.push(dev.enrollmentToken, dev.deviceToken);
    const c = await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${dev.deviceToken}` });
    sockets.push(c);
    c.send({ type: 'hello', v: 1, agentVersion: 't', hostname: 'h', streamId: 'stream-secret-01', intervalMs: 10_000 });
    await c.next((m) => m.type === 'welcome');
    const rotation = admin.post(`/api/devices/${dev.deviceId}/rotate-credential`);
    const cred = await c.next((m) => m.type === 'credential');
    c.send({ type: 'credentialAck', v: 1 });
    expect((await rotation).json.status).toBe('rotated');
    secrets.push(cred.deviceToken);
    // Refused upgrades with a wrong and an old credential are logged — without the credential.
    await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: `Bearer ${dev.deviceToken}` }).catch(() => undefined);
    await WsTestClient.connect(t.url.replace('http', 'ws') + AGENT_WS_PATH, { authorization: 'Bearer qpd_guessed-credential-0123456789' }).catch(
      () => undefined,
    );
    secrets.push('qpd_guessed-credential-0123456789');

    const tok = (await admin.post('/api/api-tokens', { name: 'script', role: 'viewer' })).json.token as string;
    secrets.push(tok);
    expect((await new ApiClient(t.url).request('GET', '/api/devices', undefined, { authorization: `Bearer ${tok}` })).status).toBe(200);
    await new ApiClient(t.url).request('GET', '/api/devices', undefined, { authorization: 'Bearer qpt_guessed-token-0123456789' });
    secrets.push('qpt_guessed-token-0123456789');

    // Channels: their secrets are stored (they are needed to send) but never shown or logged.
    const channelSecrets = ['webhook-hmac-secret-0123456789', 'the-real-smtp-password', 'tk_ntfy-access-token-0123'];
    const hook = (await admin.post('/api/channels', { type: 'webhook', name: 'Hook', config: { url: http.url('/hook'), secret: channelSecrets[0] } })).json;
    const mail = (
      await admin.post('/api/channels', {
        type: 'email',
        name: 'Mail',
        config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'qp@example.com', auth: { user: 'relay', pass: 'wrong-smtp-password-9' } },
      })
    ).json;
    channelSecrets.push('wrong-smtp-password-9');
    const ntfy = (
      await admin.post('/api/channels', {
        type: 'ntfy',
        name: 'Phones',
        config: { serverUrl: http.url('/ntfy'), topic: 'ops', accessToken: channelSecrets[2] },
      })
    ).json;
    await admin.request('PATCH', `/api/channels/${mail.id}`, {
      config: { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'qp@example.com', auth: { user: 'relay', pass: channelSecrets[1] } },
    });
    expect((await admin.post(`/api/channels/${hook.id}/test`, {})).json.error.code).toBe('CHANNEL_TEST_FAILED');
    expect((await admin.post(`/api/channels/${ntfy.id}/test`, {})).json.error.code).toBe('CHANNEL_TEST_FAILED');
    expect((await admin.post(`/api/channels/${mail.id}/test`, { to: 'ops@example.com' })).status).toBe(200);
    // A password in a URL would be shown (URLs are not masked) and echoed in errors: refused.
    const inUrl = await admin.post('/api/channels', {
      type: 'webhook',
      name: 'Basic',
      config: { url: 'http://bob:url-password-123@127.0.0.1:9/hook', secret: 'another-hmac-secret-0123' },
    });
    expect(inUrl.json.error).toEqual({ code: 'CHANNEL_CONFIG_INVALID', message: expect.stringContaining('must not contain user:password@') });
    channelSecrets.push('url-password-123');
    const shown = JSON.stringify([
      (await admin.get('/api/channels')).json,
      (await admin.get('/api/notifications')).json,
      (await admin.get('/api/audit?limit=500')).json,
    ]);
    for (const s of channelSecrets) expect(shown, s).not.toContain(s);

    // At rest: no row holds a credential, and neither do the raw database and WAL files.
    const db = t.server.db;
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    const rows = JSON.stringify(tables.map((name) => db.prepare(`SELECT * FROM "${name}"`).all()));
    const files = ['quarkpulse.db', 'quarkpulse.db-wal']
      .map((f) => path.join(t!.dataDir, f))
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'));
    for (const s of secrets) {
      expect(rows, `a row holds ${s}`).not.toContain(s);
      for (const f of files) expect(f.includes(s), `the database file holds ${s}`).toBe(false);
    }

    // In the logs: nothing, at trace level, across all of the above.
    expect(log.raw.length).toBeGreaterThan(10);
    const all = log.raw.join('\n');
    for (const s of [...secrets, ...channelSecrets]) expect(all.includes(s), `the log holds ${s}`).toBe(false);
  });

  it('redacts credential headers and secret-named fields whatever is passed to the logger', async () => {
    const log = captureLog();
    t = await startTestServer({ logger: log.logger });
    t.server.ctx.logger.warn(
      {
        req: { method: 'GET', headers: { authorization: 'Bearer qpt_leaky-0123', cookie: 'qp_session=leaky-cookie' } },
        password: 'leaky-password',
        body: { token: 'leaky-token', newPassword: 'leaky-new' },
        config: { url: 'https://example.com/hook', secret: 'leaky-secret', auth: { user: 'u', pass: 'leaky-pass' } },
      },
      'a careless log line',
    );
    const line = log.lines().find((l) => l.msg === 'a careless log line')!;
    expect(JSON.stringify(line)).not.toMatch(/leaky/);
    expect(line).toMatchObject({
      req: { method: 'GET', headers: { authorization: REDACTED, cookie: REDACTED } },
      password: REDACTED,
      body: { token: REDACTED, newPassword: REDACTED },
      config: { url: 'https://example.com/hook', secret: REDACTED, auth: { user: 'u', pass: REDACTED } },
    });
  });
});
