/**
 * Two-factor login: TOTP (RFC 6238: SHA-1, 6 digits, 30 s steps, ±1 step of clock drift) through
 * npm `otplib`, plus ten one-time recovery codes (80 random bits each, kept as SHA-256 only,
 * shown once). The seed is sealed at rest (server/lib/secret-box.ts). A code is accepted once:
 * the time step of the last accepted code is stored and only moves forward, so the same code
 * cannot be replayed inside its window, not even by two requests racing.
 *
 *   enrol:  start (seed + otpauth URI + QR) ─▶ confirm with a code ─▶ enrolled, recovery codes shown once
 *   login:  password ─▶ challenge (in memory, 5 min, 5 tries) ─▶ code or recovery code ─▶ session
 *   policy: an admin lists the roles that must use it; by default admins must once the public
 *           URL is not a loopback address. A user who must enrol can do nothing else until they have.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { HttpError } from '../lib/errors.js';
import type { AuthSettingsStore } from '../store/auth-settings.js';
import type { TwoFactorStore } from '../store/two-factor.js';
import type { Role, User } from '../store/users.js';
import type { SecretBox } from '../lib/secret-box.js';
import { generateToken, hashToken } from '../lib/secrets.js';

/** GCM purpose of sealed TOTP seeds (server/auth/sealed-columns.ts). */
export const TOTP_PURPOSE = 'totp-secret';
/** RFC 6238 step, seconds. */
export const TOTP_PERIOD_S = 30;
/** Accepted clock drift either way, seconds (one step). */
const TOLERANCE_S = 30;
/** Recovery codes issued at enrolment. */
export const RECOVERY_CODE_COUNT = 10;
/** A login challenge lives this long after the password was right, ms. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Wrong codes one challenge takes before the password must be typed again. */
export const CHALLENGE_MAX_FAILURES = 5;
/** Challenges kept at most (oldest dropped first), so a flood of logins cannot grow memory. */
const MAX_CHALLENGES = 10_000;

const POLICY_KEY = 'two-factor-policy';
const ALL_ROLES: readonly Role[] = ['admin', 'technician', 'viewer'];

/** True for loopback hosts: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackUrl(url: string | undefined): boolean {
  if (!url) return true;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}

/** The two-factor policy as the API shows it. */
export interface TwoFactorPolicy {
  /** Roles whose users must use two-factor login. */
  requiredRoles: Role[];
  /** True when no admin has chosen: admins are required iff the public URL is not loopback. */
  isDefault: boolean;
  /** The public URL the default looks at (null: not set, a local trial). */
  publicUrl: string | null;
}

/** What two-factor login is built from. */
export interface TwoFactorDeps {
  store: TwoFactorStore;
  settings: AuthSettingsStore;
  secrets: SecretBox;
  now: () => number;
  /** The public URL (--public-url / QP_PUBLIC_URL, else the one set up); undefined means a local trial. */
  publicUrl: () => string | undefined;
  /** Issuer shown in authenticator apps. */
  issuer?: string;
}

const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function newRecoveryCode(): string {
  const bytes = randomBytes(10); // 80 bits → 16 base32 characters
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += RECOVERY_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.match(/.{4}/g)!.join('-');
}

/** Recovery codes compare without case, spaces or dashes. */
function normalizeRecoveryCode(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

const hashRecoveryCode = (code: string): string => hashToken(`qp-recovery:${normalizeRecoveryCode(code)}`);

/** Outcome of checking a TOTP code. */
export type TotpCheck = 'ok' | 'invalid' | 'reused';

/** Builds two-factor login. */
export function createTwoFactor(deps: TwoFactorDeps) {
  const { store, secrets, now } = deps;
  const issuer = deps.issuer ?? 'Quarkpulse';
  const challenges = new Map<string, { userId: string; expiresAtMs: number; failures: number }>();

  function policy(): TwoFactorPolicy {
    const stored = deps.settings.get(POLICY_KEY)?.value as { requiredRoles?: Role[] } | undefined;
    if (stored?.requiredRoles)
      return { requiredRoles: ALL_ROLES.filter((r) => stored.requiredRoles!.includes(r)), isDefault: false, publicUrl: deps.publicUrl() ?? null };
    const publicUrl = deps.publicUrl();
    return { requiredRoles: isLoopbackUrl(publicUrl) ? [] : ['admin'], isDefault: true, publicUrl: publicUrl ?? null };
  }

  const isEnrolled = (userId: string): boolean => store.find(userId)?.confirmedAtMs != null;
  const isRequiredFor = (role: Role): boolean => policy().requiredRoles.includes(role);

  async function checkTotp(userId: string, code: string, mode: 'confirm' | 'login'): Promise<{ result: TotpCheck; timeStep?: number }> {
    const rec = store.find(userId);
    if (!rec || (mode === 'login') !== (rec.confirmedAtMs !== null)) return { result: 'invalid' };
    if (!/^\d{6}$/.test(code)) return { result: 'invalid' };
    const secret = secrets.decryptSecret(rec.secretSealed, TOTP_PURPOSE);
    const epoch = Math.floor(now() / 1000);
    const base = { secret, token: code, epoch, period: TOTP_PERIOD_S, epochTolerance: TOLERANCE_S } as const;
    const r = await verify(rec.lastTimeStep > 0 ? { ...base, afterTimeStep: rec.lastTimeStep } : base);
    if (!r.valid) {
      const anyTime = rec.lastTimeStep > 0 ? await verify(base) : r;
      return { result: anyTime.valid ? 'reused' : 'invalid' };
    }
    const timeStep = (r as { timeStep: number }).timeStep;
    return { result: 'ok', timeStep };
  }

  function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    return { codes, hashes: codes.map(hashRecoveryCode) };
  }

  function pruneChallenges(nowMs: number): void {
    for (const [k, c] of challenges) if (c.expiresAtMs <= nowMs) challenges.delete(k);
    while (challenges.size >= MAX_CHALLENGES) challenges.delete(challenges.keys().next().value!);
  }

  return {
    policy,
    /** Sets the roles that must use two-factor login; null returns to the default. */
    setPolicy(requiredRoles: Role[] | null, by: string | null): TwoFactorPolicy {
      deps.settings.put(POLICY_KEY, requiredRoles === null ? {} : { requiredRoles }, null, now(), by);
      return policy();
    },
    isEnrolled,
    isRequiredFor,
    /** True when the user's role requires two-factor login and they have not enrolled yet. */
    mustEnrol: (user: Pick<User, 'id' | 'role'>): boolean => isRequiredFor(user.role) && !isEnrolled(user.id),
    /** A user's state, for GET /api/me/two-factor. */
    status(user: Pick<User, 'id' | 'role'>) {
      const rec = store.find(user.id);
      return {
        isEnrolled: rec?.confirmedAtMs != null,
        isRequired: isRequiredFor(user.role),
        isPending: rec !== undefined && rec.confirmedAtMs === null,
        enrolledAtMs: rec?.confirmedAtMs ?? null,
        recoveryCodesLeft: rec?.confirmedAtMs != null ? store.recoveryCodesLeft(user.id) : 0,
      };
    },

    /** Starts an enrolment: a new seed (sealed), its otpauth:// URI and a QR code of it (SVG). */
    async startEnrolment(user: Pick<User, 'id' | 'username'>): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
      if (isEnrolled(user.id))
        throw new HttpError(409, 'TWO_FACTOR_ALREADY_ENROLLED', 'two-factor login is already on; turn it off first to enrol a new authenticator');
      const secret = generateSecret();
      store.putPending(user.id, secrets.encryptSecret(secret, TOTP_PURPOSE), now());
      const otpauthUri = generateURI({ issuer, label: user.username, secret, period: TOTP_PERIOD_S });
      const qrSvg = await QRCode.toString(otpauthUri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { secret, otpauthUri, qrSvg };
    },

    /** Confirms a pending enrolment with a code from the app; returns the recovery codes (shown once). */
    async confirmEnrolment(userId: string, code: string): Promise<string[]> {
      const rec = store.find(userId);
      if (!rec) throw new HttpError(409, 'TWO_FACTOR_NOT_STARTED', 'start the enrolment first: POST /api/me/two-factor/start');
      if (rec.confirmedAtMs !== null) throw new HttpError(409, 'TWO_FACTOR_ALREADY_ENROLLED', 'two-factor login is already on');
      const r = await checkTotp(userId, code, 'confirm');
      if (r.result !== 'ok') throw new HttpError(400, 'TOTP_CODE_INVALID', 'that code is not right; type the 6 digits your authenticator app shows now');
      const { codes, hashes } = newRecoveryCodes();
      if (!store.confirm(userId, r.timeStep!, hashes, now())) throw new HttpError(409, 'TWO_FACTOR_ALREADY_ENROLLED', 'two-factor login is already on');
      return codes;
    },

    /** Checks a login code; on 'ok' its time step is spent (atomically). */
    async verifyLoginCode(userId: string, code: string): Promise<TotpCheck> {
      const r = await checkTotp(userId, code, 'login');
      if (r.result !== 'ok') return r.result;
      return store.advanceTimeStep(userId, r.timeStep!) ? 'ok' : 'reused';
    },

    /** Spends a recovery code; false when unknown or used. */
    useRecoveryCode(userId: string, code: string): boolean {
      if (!isEnrolled(userId)) return false;
      return store.useRecoveryCode(userId, hashRecoveryCode(code), now());
    },
    recoveryCodesLeft: (userId: string): number => store.recoveryCodesLeft(userId),

    /** New recovery codes (the old ones stop working); shown once. */
    regenerateRecoveryCodes(userId: string): string[] {
      const { codes, hashes } = newRecoveryCodes();
      store.replaceRecoveryCodes(userId, hashes, now());
      return codes;
    },

    /** Turns two-factor login off for a user (seed and recovery codes deleted). */
    disable: (userId: string): boolean => store.remove(userId),

    /** Login challenges: the step between a right password and a right second factor. */
    challenges: {
      create(userId: string): { challenge: string; expiresAtMs: number } {
        const nowMs = now();
        pruneChallenges(nowMs);
        const challenge = generateToken('qpc');
        const expiresAtMs = nowMs + CHALLENGE_TTL_MS;
        challenges.set(hashToken(challenge), { userId, expiresAtMs, failures: 0 });
        return { challenge, expiresAtMs };
      },
      /** The user a live challenge belongs to. */
      find(challenge: string): string | undefined {
        const c = challenges.get(hashToken(challenge));
        if (!c || c.expiresAtMs <= now()) return undefined;
        return c.userId;
      },
      /** Counts a wrong code; returns the tries left (0: the challenge is gone). */
      fail(challenge: string): number {
        const k = hashToken(challenge);
        const c = challenges.get(k);
        if (!c) return 0;
        c.failures++;
        if (c.failures >= CHALLENGE_MAX_FAILURES) challenges.delete(k);
        return Math.max(0, CHALLENGE_MAX_FAILURES - c.failures);
      },
      /** Ends a challenge (after success). */
      end(challenge: string): void {
        challenges.delete(hashToken(challenge));
      },
    },
  };
}
export type TwoFactor = ReturnType<typeof createTwoFactor>;
