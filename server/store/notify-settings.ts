/**
 * Small key/value settings of the notification module (the digest) as JSON, and its secrets (the
 * ack-link HMAC key) sealed with the server's key ring in `secret_sealed`, never in `value`.
 */
import type { Db } from './database.js';
import type { SecretBox } from '../lib/secret-box.js';

/** GCM additional data of a sealed notification setting. */
export const NOTIFY_SETTING_PURPOSE = 'notify-setting';

/** Builds the settings statements once; secrets are sealed with `box`. */
export function createNotifySettingsStore(db: Db, box: SecretBox) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM notify_settings WHERE key = ?');
  const put = db.prepare('INSERT INTO notify_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const getSecret = db.prepare<[string], { secret_sealed: string | null }>('SELECT secret_sealed FROM notify_settings WHERE key = ?');
  const insertSecretIfMissing = db.prepare("INSERT OR IGNORE INTO notify_settings (key, value, secret_sealed) VALUES (?, 'null', ?)");
  const putSecret = db.prepare('UPDATE notify_settings SET secret_sealed = ? WHERE key = ?');
  return {
    get<T>(key: string): T | undefined {
      const r = get.get(key);
      return r ? (JSON.parse(r.value) as T) : undefined;
    },
    set(key: string, value: unknown): void {
      put.run(key, JSON.stringify(value));
    },
    /**
     * The secret stored under `key`, storing `make()` sealed when there is none. A value still in
     * plain text (migrated, not yet sealed at start) is sealed now.
     */
    getOrInitSecret(key: string, make: () => string): string {
      return db
        .transaction(() => {
          insertSecretIfMissing.run(key, box.encryptSecret(make(), NOTIFY_SETTING_PURPOSE));
          const stored = getSecret.get(key)?.secret_sealed;
          if (stored == null) throw new Error(`the notification setting ${key} holds no secret; delete its row to have a new one made`);
          if (box.isSealed(stored)) return box.decryptSecret(stored, NOTIFY_SETTING_PURPOSE);
          putSecret.run(box.encryptSecret(stored, NOTIFY_SETTING_PURPOSE), key);
          return stored;
        })
        .immediate();
    },
  };
}
export type NotifySettingsStore = ReturnType<typeof createNotifySettingsStore>;
