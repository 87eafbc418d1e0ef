/**
 * Secrets the server must read back (channel configs, TOTP seeds) are sealed with AES-256-GCM by a
 * key file outside the database: the raw database and WAL bytes hold none of them; plaintext left
 * by an older version is sealed at start; a database without its key file does not start;
 * `quarkpulse secrets rotate-key` (the real CLI, in a child process) re-seals everything under a
 * new key while the server keeps running and sending.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../server/store/database.js';
import { startHttpReceiver, startSmtpReceiver, type HttpReceiver, type SmtpReceiver } from '../helpers/receivers.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { runCli } from '../helpers/run-cli.js';
import { rawDatabaseFiles } from '../helpers/raw-db.js';

/** The raw bytes of the database and its WAL, as text. */
describe('secrets sealed at rest', () => {
  let t: TestServer | undefined;
  let smtp: SmtpReceiver | undefined;
  let http: HttpReceiver | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await t?.close();
    t = undefined;
    await smtp?.close();
    await http?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'qp-sealed-'));
    dirs.push(d);
    return d;
  };

  it('seals plaintext left by an older version at start, seals new secrets before they reach the disk, and needs its key file', async () => {
    smtp = await startSmtpReceiver({ users: { relay: 'old-plain-smtp-pass-777' } });
    http = await startHttpReceiver();
    const dataDir = tempDir();
    // An older version stored the config as plain JSON.
    const old = openDatabase(dataDir);
    const oldConfig = { host: '127.0.0.1', port: smtp.port, tls: 'none', from: 'qp@example.com', auth: { user: 'relay', pass: 'old-plain-smtp-pass-777' } };
    old
      .prepare(
        "INSERT INTO channels (id, type, name, config_json, is_enabled, created_at_ms, updated_at_ms) VALUES ('ch-old', 'email', 'Old mail', ?, 1, 1, 1)",
      )
      .run(JSON.stringify(oldConfig));
    old.pragma('wal_checkpoint(TRUNCATE)');
    old.close();
    expect(rawDatabaseFiles(dataDir).some((f) => f.includes('old-plain-smtp-pass-777'))).toBe(true); // the test can see a leak

    t = await startTestServer({ dataDir });
    const keyFile = path.join(dataDir, 'secret.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const admin = new ApiClient(t.url);
    await admin.login();
    expect((await admin.post('/api/channels/ch-old/test', { to: 'ops@example.com' })).status).toBe(200);
    expect(smtp.mails).toHaveLength(1);

    const plain = ['old-plain-smtp-pass-777', 'new-webhook-hmac-secret-4242', '/services/T0001/B0002/slack-url-secret-xyz'];
    const hook = (await admin.post('/api/channels', { type: 'webhook', name: 'Hook', config: { url: http.url('/hook'), secret: plain[1] } })).json;
    expect((await admin.post('/api/channels', { type: 'slack', name: 'Slack', config: { webhookUrl: http.url(plain[2]) } })).status).toBe(201);
    expect((await admin.post(`/api/channels/${hook.id}/test`, {})).status).toBe(200);
    expect(http.accepted('/hook')).toHaveLength(1);

    const stored = t.server.db.prepare('SELECT config_json FROM channels').all() as { config_json: string }[];
    expect(stored).toHaveLength(3);
    for (const r of stored) expect(r.config_json).toMatch(/^enc1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    // While the server runs (the WAL full of fresh pages) and after it closed.
    for (const f of rawDatabaseFiles(dataDir)) for (const s of plain) expect(f.includes(s), s).toBe(false);
    await t.close();
    t = undefined;
    for (const f of rawDatabaseFiles(dataDir)) for (const s of plain) expect(f.includes(s), s).toBe(false);

    // The database alone (another key file) does not start: it says which file to restore.
    const otherKey = path.join(tempDir(), 'elsewhere.key');
    await expect(startTestServer({ dataDir, secretKeyFile: otherKey })).rejects.toThrow(
      new RegExp(
        `^the key file ${otherKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not hold key [A-Za-z0-9_-]+ that sealed secrets in this database; restore the key file from your backup \\(or point QP_SECRET_KEY_FILE at it\\)$`,
      ),
    );
    // A key file others can read is refused.
    chmodSync(keyFile, 0o644);
    await expect(startTestServer({ dataDir })).rejects.toThrow(`the secret key file ${keyFile} is readable by other users; run: chmod 600 ${keyFile}`);
    chmodSync(keyFile, 0o600);

    // With its key file it starts and sends as before.
    t = await startTestServer({ dataDir });
    const again = new ApiClient(t.url);
    await again.login();
    expect((await again.post(`/api/channels/${hook.id}/test`, {})).status).toBe(200);
    expect(http.accepted('/hook')).toHaveLength(2);
  });

  it('rotates the key with the real CLI while the server runs and sends', async () => {
    http = await startHttpReceiver();
    const dataDir = tempDir();
    t = await startTestServer({ dataDir });
    const admin = new ApiClient(t.url);
    await admin.login();
    const hook = (
      await admin.post('/api/channels', { type: 'webhook', name: 'Hook', config: { url: http.url('/hook'), secret: 'rotate-me-hmac-secret-0001' } })
    ).json;
    for (let i = 0; i < 20; i++)
      expect(
        (
          await admin.post('/api/channels', {
            type: 'ntfy',
            name: `Phones ${i}`,
            config: { serverUrl: http.url('/ntfy'), topic: `ops-${i}`, accessToken: `tk_rotation-token-${i}` },
          })
        ).status,
      ).toBe(201);
    const keyFile = path.join(dataDir, 'secret.key');
    const oldKeyId = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].id as string;

    // Keep sending test messages through the rotation.
    let isRotating = true;
    const sends: number[] = [];
    const sender = (async () => {
      while (isRotating) {
        sends.push((await admin.post(`/api/channels/${hook.id}/test`, {})).status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const r = await runCli(['secrets', 'rotate-key', '--data', dataDir]);
    isRotating = false;
    await sender;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ring = JSON.parse(readFileSync(keyFile, 'utf8')).keys as { id: string }[];
    expect(ring).toHaveLength(1);
    const newKeyId = ring[0]!.id;
    expect(newKeyId).not.toBe(oldKeyId);
    expect(r.stdout).toBe(
      `re-sealed 22 secrets with the new key ${newKeyId}; ${keyFile} holds only that key now. Back it up: database backups taken before this need the old key file.\n`,
    );
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const rows = t.server.db.prepare('SELECT config_json FROM channels').all() as { config_json: string }[];
    expect(rows.every((x) => x.config_json.startsWith(`enc1:${newKeyId}:`))).toBe(true);
    // 21 channels and the ack-link key.
    expect(
      (t.server.db.prepare("SELECT secret_sealed FROM notify_settings WHERE key = 'ack_link_secret'").get() as { secret_sealed: string }).secret_sealed,
    ).toMatch(`enc1:${newKeyId}:`);
    expect(sends.length).toBeGreaterThan(0);
    expect(sends.every((s) => s === 200)).toBe(true);

    // The running server reads the new ring: sending and editing still work.
    expect((await admin.post(`/api/channels/${hook.id}/test`, {})).status).toBe(200);
    expect((await admin.request('PATCH', `/api/channels/${hook.id}`, { name: 'Hook 2' })).status).toBe(200);
    expect(
      (t.server.db.prepare('SELECT config_json FROM channels WHERE id = ?').get(hook.id) as { config_json: string }).config_json.startsWith(
        `enc1:${newKeyId}:`,
      ),
    ).toBe(true);
    const audit = (await admin.get('/api/audit?limit=10')).json.entries as { action: string; actorName: string; summary: string }[];
    expect(audit.find((e) => e.action === 'secrets.rotate-key')).toMatchObject({
      actorName: 'command line on the server',
      summary: `secrets re-sealed with a new key (22 values); old key ${oldKeyId} dropped`,
    });
    for (const f of rawDatabaseFiles(dataDir)) expect(f.includes('rotate-me-hmac-secret-0001')).toBe(false);

    // Without a key file there is nothing to rotate.
    const empty = tempDir();
    const none = await runCli(['secrets', 'rotate-key', '--data', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error: cannot read the secret key file .*secret\.key: ENOENT/);
  }, 120_000);
});
