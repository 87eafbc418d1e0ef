/** Acknowledge-link tokens: signed, expiring, tamper-evident; single use over a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createAckLinks, signAckToken, verifyAckToken } from '../../server/notify/ack-links.js';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createNotifySettingsStore } from '../../server/store/notify-settings.js';
import { createSecretBox, generateSecretKey } from '../../server/lib/secret-box.js';

const secret = randomBytes(32);
const claims = { alertId: 'al1', recipient: 'user-1', expiresAtMs: 2_000 };

describe('ack tokens', () => {
  it('verify with the right secret until they expire', () => {
    const token = signAckToken(secret, claims);
    expect(verifyAckToken(secret, token, 1_999)).toEqual({ ok: true, claims });
    expect(verifyAckToken(secret, token, 2_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyAckToken(randomBytes(32), token, 0)).toEqual({ ok: false, reason: 'bad-signature' });
  });
  it('are unique per link even for the same claims', () => {
    expect(signAckToken(secret, claims)).not.toBe(signAckToken(secret, claims));
  });
  it('refuse tampering and garbage', () => {
    const [body, mac] = signAckToken(secret, claims).split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ v: 1, a: 'other-alert', r: 'user-1', e: 2_000, n: 'x' })).toString('base64url');
    expect(verifyAckToken(secret, `${forged}.${mac}`, 0)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyAckToken(secret, `${body}.${mac.slice(0, -1)}`, 0)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyAckToken(secret, 'not-a-token', 0)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('ack links', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keep one secret across restarts, and work once', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-ack-'));
    db = openDatabase(dir);
    let now = 1_000;
    const box = createSecretBox([generateSecretKey(0)]);
    const make = () =>
      createAckLinks({ db, settings: createNotifySettingsStore(db, box), now: () => now, baseUrl: () => 'https://qp.example.com/', ttlMs: 60_000 });
    const url = make().create('al1', 'user-1');
    expect(url).toMatch(/^https:\/\/qp\.example\.com\/ack\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const token = url.split('/ack/')[1]!;
    const links = make(); // as after a restart: the secret is read back, not regenerated
    const check = links.check(token);
    expect(check).toEqual({ ok: true, claims: { alertId: 'al1', recipient: 'user-1', expiresAtMs: 61_000 } });
    expect(links.consume(token, (check as { claims: { alertId: string; recipient: string; expiresAtMs: number } }).claims)).toBe(true);
    expect(links.check(token)).toEqual({ ok: false, reason: 'used' });
    expect(links.consume(token, { alertId: 'al1', recipient: 'user-1', expiresAtMs: 61_000 })).toBe(false);
    now = 61_000;
    expect(links.check(make().create('al1', 'user-1').split('/ack/')[1]!)).toMatchObject({ ok: true });
    // The key is sealed at rest, never in the plain value column.
    const row = db.prepare("SELECT value, secret_sealed FROM notify_settings WHERE key = 'ack_link_secret'").get() as { value: string; secret_sealed: string };
    expect(row.value).toBe('null');
    expect(row.secret_sealed).toMatch(/^enc1:/);
  });

  it('keep links sent before migration 011 working once the key is sealed', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-ack-'));
    db = openDatabase(dir);
    // As an older version stored it: the key as plain JSON in value.
    const old = randomBytes(32);
    db.prepare("UPDATE notify_settings SET value = ?, secret_sealed = NULL WHERE key = 'ack_link_secret'").run(JSON.stringify(old.toString('base64url')));
    db.prepare("INSERT OR IGNORE INTO notify_settings (key, value) VALUES ('ack_link_secret', ?)").run(JSON.stringify(old.toString('base64url')));
    db.prepare("UPDATE notify_settings SET secret_sealed = json_extract(value, '$'), value = 'null' WHERE key = 'ack_link_secret'").run();
    const token = signAckToken(old, { alertId: 'al9', recipient: 'user-2', expiresAtMs: 50_000 });
    const links = createAckLinks({
      db,
      settings: createNotifySettingsStore(db, createSecretBox([generateSecretKey(0)])),
      now: () => 1_000,
      baseUrl: () => 'https://qp.example.com',
    });
    expect(links.check(token)).toEqual({ ok: true, claims: { alertId: 'al9', recipient: 'user-2', expiresAtMs: 50_000 } });
    const sealed = (db.prepare("SELECT secret_sealed FROM notify_settings WHERE key = 'ack_link_secret'").get() as { secret_sealed: string }).secret_sealed;
    expect(sealed).toMatch(/^enc1:/);
    expect(sealed).not.toContain(old.toString('base64url'));
  });
});
