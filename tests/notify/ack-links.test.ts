/** Acknowledge-link tokens: signed, expiring, tamper-evident; single use over a real SQLite file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createAckLinks, signAckToken, verifyAckToken } from '../../server/notify/ack-links.js';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createNotifySettingsStore } from '../../server/store/notify-settings.js';

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
    const make = () => createAckLinks({ db, settings: createNotifySettingsStore(db), now: () => now, baseUrl: () => 'https://qp.example.com/', ttlMs: 60_000 });
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
  });
});
