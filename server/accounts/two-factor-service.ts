/**
 * The audited side of two-factor login (server/auth/two-factor.ts does the TOTP and recovery
 * codes): a person turns it on, makes new recovery codes or turns it off (with a current code),
 * and an admin sets who must use it or turns it off for someone who lost their phone. Each change
 * writes its audit entry with it; a change that only follows an awaited code check is recorded
 * right after the write.
 */
import { HttpError } from '../lib/errors.js';
import type { TwoFactor, TwoFactorPolicy } from '../auth/two-factor.js';
import type { Role, User, UserStore } from '../store/users.js';
import { auditActorOf, type AuditLog } from '../audit/audit-log.js';

type Person = Pick<User, 'id' | 'username' | 'role'>;

export function createTwoFactorService(deps: { twoFactor: TwoFactor; users: UserStore; audit: AuditLog }) {
  const { twoFactor: tf, audit } = deps;
  const who = auditActorOf;

  /** A fresh second factor: 400 TOTP_CODE_REUSED / TOTP_CODE_INVALID otherwise. */
  async function requireCurrentCode(userId: string, code: string): Promise<void> {
    const r = await tf.verifyLoginCode(userId, code);
    if (r === 'reused') throw new HttpError(400, 'TOTP_CODE_REUSED', 'that code was used already; wait for the next one');
    if (r !== 'ok') throw new HttpError(400, 'TOTP_CODE_INVALID', 'that code is not right; type the 6 digits your authenticator app shows now');
  }

  function mustBeEnrolled(u: Person): void {
    if (!tf.isEnrolled(u.id)) throw new HttpError(409, 'TWO_FACTOR_NOT_ENROLLED', 'two-factor login is off');
  }

  return {
    /** Confirms an enrolment with a code; answers the recovery codes (shown once). */
    async confirm(u: Person, code: string): Promise<string[]> {
      const recoveryCodes = await tf.confirmEnrolment(u.id, code);
      audit.record(who(u), { action: 'two-factor.enrol', entityType: 'user', entityId: u.id, summary: `${u.username} turned on two-factor login` });
      return recoveryCodes;
    },

    /** New recovery codes for a current code; the old ones stop working. */
    async regenerateRecoveryCodes(u: Person, code: string): Promise<string[]> {
      mustBeEnrolled(u);
      await requireCurrentCode(u.id, code);
      return audit.audited(who(u), (record) => {
        const codes = tf.regenerateRecoveryCodes(u.id);
        record({ action: 'two-factor.recovery-regenerate', entityType: 'user', entityId: u.id, summary: `${u.username} made new recovery codes` });
        return codes;
      });
    },

    /** Turns one's own two-factor login off, with a current code, unless one's role requires it. */
    async disableOwn(u: Person, code: string): Promise<void> {
      mustBeEnrolled(u);
      if (tf.isRequiredFor(u.role))
        throw new HttpError(409, 'TWO_FACTOR_REQUIRED', `two-factor login is required for the role ${u.role}; an admin can change that`);
      await requireCurrentCode(u.id, code);
      audit.audited(who(u), (record) => {
        tf.disable(u.id);
        record({ action: 'two-factor.disable', entityType: 'user', entityId: u.id, summary: `${u.username} turned off two-factor login` });
      });
    },

    /** An admin sets which roles must use two-factor login (null = the default). */
    setPolicy(admin: Person, requiredRoles: Role[] | null): TwoFactorPolicy {
      const before = tf.policy();
      return audit.audited(who(admin), (record) => {
        const after = tf.setPolicy(requiredRoles, admin.username);
        record({
          action: 'auth-settings.update',
          entityType: 'auth-settings',
          entityId: 'two-factor-policy',
          summary: `two-factor login required for ${after.requiredRoles.length ? after.requiredRoles.join(', ') : 'nobody'}${after.isDefault ? ' (default)' : ''}`,
          detail: { requiredRoles: { from: before.requiredRoles, to: after.requiredRoles } },
        });
        return after;
      });
    },

    /** An admin turns off someone's two-factor login (lost phone and recovery codes). */
    disableFor(admin: Person, userId: string): void {
      const target = deps.users.findById(userId);
      if (!target) throw new HttpError(404, 'USER_NOT_FOUND', `no user with id ${userId}`);
      audit.audited(who(admin), (record) => {
        if (!tf.disable(target.id)) throw new HttpError(409, 'TWO_FACTOR_NOT_ENROLLED', `${target.username} has no two-factor login`);
        record({
          action: 'two-factor.disable',
          entityType: 'user',
          entityId: target.id,
          summary: `${admin.username} turned off two-factor login of ${target.username}`,
        });
      });
    },
  };
}
export type TwoFactorService = ReturnType<typeof createTwoFactorService>;
