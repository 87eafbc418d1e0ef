/**
 * Signing in and out, as the audit log sees it: the password step, the second step (a TOTP code
 * or a recovery code) and logout, each recording success or failure with where it came from.
 * The HTTP side (cookies, rate limits, answers) stays in server/api/auth-routes.ts.
 *
 *   password ─▶ 'failed' (login.failure) | 'challenge' (two-factor on) | 'ok' (login.success)
 *   challenge + code ─▶ HttpError 401 (login.second-factor-failure) | user (login.success [+ recovery-used])
 *
 * An unknown username is recorded without the name: people type their password into that field.
 */
import { HttpError } from '../lib/errors.js';
import { verifyPassword } from '../lib/secrets.js';
import type { TwoFactor } from '../auth/two-factor.js';
import type { User, UserStore } from '../store/users.js';
import { auditActorOf, type AuditLog } from '../audit/audit-log.js';

/** A hash to compare against when the user does not exist, so timing does not reveal usernames. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export type PasswordStep = { kind: 'ok'; user: User } | { kind: 'challenge'; user: User; challenge: string; expiresAtMs: number };

export interface LoginServiceDeps {
  users: UserStore;
  twoFactor: TwoFactor;
  audit: AuditLog;
  /**
   * Single sign-on's say on passwords: false when password sign-in is limited to break-glass
   * admins and `username` is not one; `provider` names the way in instead.
   */
  passwordSignIn?: { isAllowed(username: string): boolean; provider(): string };
}

export function createLoginService(deps: LoginServiceDeps) {
  const { users, twoFactor: tf, audit } = deps;
  const who = auditActorOf;

  return {
    /** The password step; 401 INVALID_CREDENTIALS (recorded) when the name or password is wrong. */
    async checkPassword(username: string, password: string, remote: string | null): Promise<PasswordStep> {
      // Refused the same way for every name that is not a break-glass admin, before the password
      // is looked at, so the answer says nothing about the account or the password.
      if (deps.passwordSignIn && !deps.passwordSignIn.isAllowed(username)) {
        audit.record(
          { id: null, name: null },
          {
            action: 'login.failure',
            entityType: 'user',
            entityId: null,
            summary: 'refused a password sign-in: only single sign-on is allowed',
            detail: { remote },
          },
        );
        throw new HttpError(403, 'PASSWORD_SIGN_IN_OFF', `password sign-in is turned off here; use “Sign in with ${deps.passwordSignIn.provider()}”`);
      }
      const found = users.findForLogin(username);
      // A user who signs in only through the identity provider has no password hash: compare
      // against the dummy, so the answer takes as long as for a wrong password.
      const hash = found?.passwordHash.startsWith('scrypt$') ? found.passwordHash : DUMMY_HASH;
      const isValid = (await verifyPassword(password, hash)) && hash !== DUMMY_HASH;
      if (!found || !isValid) {
        audit.record(found ? { id: found.id, name: found.username } : { id: null, name: null }, {
          action: 'login.failure',
          entityType: 'user',
          entityId: found?.id ?? null,
          summary: found ? `failed login for ${found.username}` : 'failed login for an unknown username',
          detail: { remote },
        });
        throw new HttpError(401, 'INVALID_CREDENTIALS', 'unknown user or wrong password');
      }
      const user = users.findById(found.id)!;
      if (tf.isEnrolled(user.id)) return { kind: 'challenge', user, ...tf.challenges.create(user.id) };
      audit.record(who(user), { action: 'login.success', entityType: 'user', entityId: user.id, summary: `${user.username} logged in`, detail: { remote } });
      return { kind: 'ok', user };
    },

    /** The second step; a wrong code costs one of the challenge's tries (recorded). */
    async checkSecondFactor(
      challenge: string,
      proof: { code?: string; recoveryCode?: string },
      remote: string | null,
    ): Promise<{ user: User; method: 'totp' | 'recovery-code' }> {
      const userId = tf.challenges.find(challenge);
      const user = userId ? users.findById(userId) : undefined;
      if (!user) throw new HttpError(401, 'LOGIN_CHALLENGE_INVALID', 'this sign-in expired or is unknown; enter your password again');
      const method = proof.code !== undefined ? 'totp' : 'recovery-code';
      let failure: HttpError | undefined;
      if (proof.code !== undefined) {
        const r = await tf.verifyLoginCode(user.id, proof.code);
        if (r === 'reused') failure = new HttpError(401, 'TOTP_CODE_REUSED', 'that code was used already; wait for the next one');
        else if (r !== 'ok') failure = new HttpError(401, 'TOTP_CODE_INVALID', 'that code is not right; type the 6 digits your authenticator app shows now');
      } else if (!tf.useRecoveryCode(user.id, proof.recoveryCode!)) {
        failure = new HttpError(401, 'RECOVERY_CODE_INVALID', 'that recovery code is unknown or was used already');
      }
      if (failure) {
        const left = tf.challenges.fail(challenge);
        audit.record(who(user), {
          action: 'login.second-factor-failure',
          entityType: 'user',
          entityId: user.id,
          summary: `wrong second factor for ${user.username}`,
          detail: { remote, method },
        });
        if (left === 0) throw new HttpError(401, 'LOGIN_CHALLENGE_INVALID', `${failure.message}; too many tries: enter your password again`);
        throw failure;
      }
      tf.challenges.end(challenge);
      audit.record(who(user), {
        action: 'login.success',
        entityType: 'user',
        entityId: user.id,
        summary: `${user.username} logged in (${method === 'totp' ? 'authenticator code' : 'recovery code'})`,
        detail: { remote, secondFactor: method },
      });
      if (method === 'recovery-code') {
        audit.record(who(user), {
          action: 'two-factor.recovery-used',
          entityType: 'user',
          entityId: user.id,
          summary: `${user.username} used a recovery code (${tf.recoveryCodesLeft(user.id)} left)`,
        });
      }
      return { user, method };
    },

    /** Records a logout (the caller ends the session). */
    recordLogout(user: User): void {
      audit.record(who(user), { action: 'logout', entityType: 'user', entityId: user.id, summary: `${user.username} logged out` });
    },
  };
}
export type LoginService = ReturnType<typeof createLoginService>;
