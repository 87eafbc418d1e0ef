/**
 * Acknowledge links: each page carries a URL that acknowledges its alert without logging in.
 * The token is the credential, so it is signed (HMAC-SHA256 with a server secret generated on
 * first start, kept in the database sealed with the key file outside it, never logged), names
 * its alert and recipient, expires, and works once (its hash is stored when used). A stolen
 * database file alone cannot forge a link.
 *
 *   token = base64url(JSON { v: 1, a: alertId, r: recipient, e: expiresAtMs, n: nonce })
 *           "." base64url(HMAC(secret, "qp-ack." + first part))
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../store/database.js';
import type { NotifySettingsStore } from '../store/notify-settings.js';
import { hashToken } from '../lib/secrets.js';

/** What a token says. */
export interface AckClaims {
  alertId: string;
  /** Who it was sent to: a user id, or "channel:<id>" for a shared channel. */
  recipient: string;
  expiresAtMs: number;
}

/** Why a token is refused. */
export type AckRefusal = 'malformed' | 'bad-signature' | 'expired' | 'used';

/** Default lifetime of a link: a day (repeated pages carry fresh ones). */
export const ACK_LINK_TTL_MS = 24 * 3_600_000;

function mac(secret: Buffer, body: string): Buffer {
  return createHmac('sha256', secret).update(`qp-ack.${body}`).digest();
}

/** Signs claims into a token. Pure apart from the nonce. */
export function signAckToken(secret: Buffer, claims: AckClaims): string {
  const body = Buffer.from(
    JSON.stringify({ v: 1, a: claims.alertId, r: claims.recipient, e: claims.expiresAtMs, n: randomBytes(6).toString('base64url') }),
  ).toString('base64url');
  return `${body}.${mac(secret, body).toString('base64url')}`;
}

/** Checks signature and expiry (not use). */
export function verifyAckToken(secret: Buffer, token: string, nowMs: number): { ok: true; claims: AckClaims } | { ok: false; reason: AckRefusal } {
  const m = /^([A-Za-z0-9_-]{10,1000})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const given = Buffer.from(m[2]!, 'base64url');
  const expected = mac(secret, m[1]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  let parsed: { v?: unknown; a?: unknown; r?: unknown; e?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (parsed.v !== 1 || typeof parsed.a !== 'string' || typeof parsed.r !== 'string' || typeof parsed.e !== 'number') return { ok: false, reason: 'malformed' };
  if (nowMs >= parsed.e) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { alertId: parsed.a, recipient: parsed.r, expiresAtMs: parsed.e } };
}

/** Links over the server's secret and the used-links table. */
export function createAckLinks(deps: { db: Db; settings: NotifySettingsStore; now: () => number; baseUrl: () => string; ttlMs?: number }) {
  const { db } = deps;
  const secret = Buffer.from(
    deps.settings.getOrInitSecret('ack_link_secret', () => randomBytes(32).toString('base64url')),
    'base64url',
  );
  const ttlMs = deps.ttlMs ?? ACK_LINK_TTL_MS;
  const isUsed = db.prepare<[string], { used_at_ms: number }>('SELECT used_at_ms FROM ack_links_used WHERE token_hash = ?');
  const markUsed = db.prepare('INSERT OR IGNORE INTO ack_links_used (token_hash, alert_id, used_at_ms, expires_at_ms) VALUES (?, ?, ?, ?)');
  const prune = db.prepare('DELETE FROM ack_links_used WHERE expires_at_ms < ?');

  return {
    /** A fresh link for `recipient` to acknowledge `alertId`. */
    create(alertId: string, recipient: string): string {
      const token = signAckToken(secret, { alertId, recipient, expiresAtMs: deps.now() + ttlMs });
      return `${deps.baseUrl().replace(/\/+$/, '')}/ack/${token}`;
    },
    /** Signature, expiry and whether it was used already. */
    check(token: string): { ok: true; claims: AckClaims } | { ok: false; reason: AckRefusal } {
      const v = verifyAckToken(secret, token, deps.now());
      if (!v.ok) return v;
      return isUsed.get(hashToken(token)) ? { ok: false, reason: 'used' } : v;
    },
    /** Marks a token used; false if it already was. Call inside the acknowledging transaction. */
    consume(token: string, claims: AckClaims): boolean {
      prune.run(deps.now() - 24 * 3_600_000);
      return markUsed.run(hashToken(token), claims.alertId, deps.now(), claims.expiresAtMs).changes === 1;
    },
  };
}
export type AckLinks = ReturnType<typeof createAckLinks>;
