/** Small key/value settings of the notification module (ack-link secret, digest), as JSON. */
import type { Db } from './database.js';

/** Builds the settings statements once. */
export function createNotifySettingsStore(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM notify_settings WHERE key = ?');
  const put = db.prepare('INSERT INTO notify_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const insertIfMissing = db.prepare('INSERT OR IGNORE INTO notify_settings (key, value) VALUES (?, ?)');
  return {
    get<T>(key: string): T | undefined {
      const r = get.get(key);
      return r ? (JSON.parse(r.value) as T) : undefined;
    },
    set(key: string, value: unknown): void {
      put.run(key, JSON.stringify(value));
    },
    /** Stores `value` unless the key exists; returns what is stored either way. */
    getOrInit<T>(key: string, value: T): T {
      insertIfMissing.run(key, JSON.stringify(value));
      return JSON.parse(get.get(key)!.value) as T;
    },
  };
}
export type NotifySettingsStore = ReturnType<typeof createNotifySettingsStore>;
