/** TOTP enrolments and recovery codes of users (migration 008). SQL only; the logic is server/auth/two-factor.ts. */
import type { Db } from './database.js';

/** A user's TOTP row. */
export interface TotpRecord {
  userId: string;
  /** The base32 seed, sealed (server/lib/secret-box.ts). */
  secretSealed: string;
  /** Null while the enrolment waits for its first code. */
  confirmedAtMs: number | null;
  /** RFC 6238 time step of the last accepted code. */
  lastTimeStep: number;
  createdAtMs: number;
}

interface TotpRow {
  user_id: string;
  secret_sealed: string;
  confirmed_at_ms: number | null;
  last_time_step: number;
  created_at_ms: number;
}

/** Builds the statements once. */
export function createTwoFactorStore(db: Db) {
  const get = db.prepare<[string], TotpRow>('SELECT * FROM user_totp WHERE user_id = ?');
  const upsertPending = db.prepare<[string, string, number]>(
    `INSERT INTO user_totp (user_id, secret_sealed, confirmed_at_ms, last_time_step, created_at_ms) VALUES (?, ?, NULL, 0, ?)
     ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed, confirmed_at_ms = NULL, last_time_step = 0, created_at_ms = excluded.created_at_ms`,
  );
  const confirm = db.prepare<[number, number, string]>(
    'UPDATE user_totp SET confirmed_at_ms = ?, last_time_step = ? WHERE user_id = ? AND confirmed_at_ms IS NULL',
  );
  // Only moves forward: two requests with the same code cannot both win.
  const advance = db.prepare<[number, string, number]>('UPDATE user_totp SET last_time_step = ? WHERE user_id = ? AND last_time_step < ?');
  const remove = db.prepare<[string]>('DELETE FROM user_totp WHERE user_id = ?');
  const removeCodes = db.prepare<[string]>('DELETE FROM user_recovery_codes WHERE user_id = ?');
  const insertCode = db.prepare<[string, string, number]>('INSERT INTO user_recovery_codes (user_id, code_hash, created_at_ms) VALUES (?, ?, ?)');
  const useCode = db.prepare<[number, string, string]>(
    'UPDATE user_recovery_codes SET used_at_ms = ? WHERE user_id = ? AND code_hash = ? AND used_at_ms IS NULL',
  );
  const codesLeft = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM user_recovery_codes WHERE user_id = ? AND used_at_ms IS NULL');
  const enrolledIds = db.prepare<[], { user_id: string }>('SELECT user_id FROM user_totp WHERE confirmed_at_ms IS NOT NULL');

  return {
    find(userId: string): TotpRecord | undefined {
      const r = get.get(userId);
      return (
        r && {
          userId: r.user_id,
          secretSealed: r.secret_sealed,
          confirmedAtMs: r.confirmed_at_ms,
          lastTimeStep: r.last_time_step,
          createdAtMs: r.created_at_ms,
        }
      );
    },
    /** Starts (or restarts) an enrolment with a new sealed seed. */
    putPending(userId: string, secretSealed: string, nowMs: number): void {
      upsertPending.run(userId, secretSealed, nowMs);
    },
    /** Confirms a pending enrolment and stores its recovery code hashes, in one transaction. */
    confirm(userId: string, timeStep: number, codeHashes: readonly string[], nowMs: number): boolean {
      return db.transaction(() => {
        if (confirm.run(nowMs, timeStep, userId).changes !== 1) return false;
        removeCodes.run(userId);
        for (const h of codeHashes) insertCode.run(userId, h, nowMs);
        return true;
      })();
    },
    /** Records an accepted code's time step; false when that step (or a later one) was used already. */
    advanceTimeStep(userId: string, timeStep: number): boolean {
      return advance.run(timeStep, userId, timeStep).changes === 1;
    },
    /** Marks a recovery code used; false when unknown or used before. */
    useRecoveryCode(userId: string, codeHash: string, nowMs: number): boolean {
      return useCode.run(nowMs, userId, codeHash).changes === 1;
    },
    /** Replaces the recovery codes. */
    replaceRecoveryCodes(userId: string, codeHashes: readonly string[], nowMs: number): void {
      db.transaction(() => {
        removeCodes.run(userId);
        for (const h of codeHashes) insertCode.run(userId, h, nowMs);
      })();
    },
    recoveryCodesLeft(userId: string): number {
      return codesLeft.get(userId)!.n;
    },
    /** Removes the enrolment and its recovery codes; true when there was one. */
    remove(userId: string): boolean {
      return db.transaction(() => {
        removeCodes.run(userId);
        return remove.run(userId).changes === 1;
      })();
    },
    /** Ids of users with a confirmed enrolment. */
    enrolledUserIds(): Set<string> {
      return new Set(enrolledIds.all().map((r) => r.user_id));
    },
  };
}
export type TwoFactorStore = ReturnType<typeof createTwoFactorStore>;
