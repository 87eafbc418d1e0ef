/** Sign-in settings (migration 008): a JSON value per key, and a sealed secret beside it when the setting has one. */
import type { Db } from './database.js';

interface Row {
  key: string;
  value_json: string;
  secret_sealed: string | null;
  updated_at_ms: number;
  updated_by: string | null;
}

/** Builds the statements once. */
export function createAuthSettingsStore(db: Db) {
  const get = db.prepare<[string], Row>('SELECT * FROM auth_settings WHERE key = ?');
  const put = db.prepare<{ key: string; valueJson: string; secretSealed: string | null; nowMs: number; by: string | null }>(
    `INSERT INTO auth_settings (key, value_json, secret_sealed, updated_at_ms, updated_by) VALUES (@key, @valueJson, @secretSealed, @nowMs, @by)
     ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, secret_sealed = excluded.secret_sealed, updated_at_ms = excluded.updated_at_ms, updated_by = excluded.updated_by`,
  );
  return {
    /** The stored value (parsed JSON) and sealed secret of `key`, if set. */
    get(key: string): { value: unknown; secretSealed: string | null; updatedAtMs: number; updatedBy: string | null } | undefined {
      const r = get.get(key);
      return r && { value: JSON.parse(r.value_json) as unknown, secretSealed: r.secret_sealed, updatedAtMs: r.updated_at_ms, updatedBy: r.updated_by };
    },
    put(key: string, value: unknown, secretSealed: string | null, nowMs: number, by: string | null): void {
      put.run({ key, valueJson: JSON.stringify(value), secretSealed, nowMs, by });
    },
  };
}
export type AuthSettingsStore = ReturnType<typeof createAuthSettingsStore>;
