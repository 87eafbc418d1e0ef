/** Settings of the server itself as JSON by key (public URL, default time zone, setup state). */
import type { Db } from './database.js';

/** The keys and the shapes stored under them. */
export interface ServerSettingValues {
  /** Where people reach the server: `https://monitor.example.com` (no path, no trailing slash). */
  publicUrl: string;
  /** IANA zone new clients and schedules start with. */
  timezone: string;
  /** Until setup is done: the SHA-256 of the one-time setup code; then when and by whom. */
  setup: { codeHash: string; createdAtMs: number } | { doneAtMs: number; by: string };
}

/** Builds the statements once. */
export function createServerSettingsStore(db: Db) {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM server_settings WHERE key = ?');
  const put = db.prepare<[string, string, number]>(
    'INSERT INTO server_settings (key, value, updated_at_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms',
  );
  const del = db.prepare<[string]>('DELETE FROM server_settings WHERE key = ?');
  return {
    get<K extends keyof ServerSettingValues>(key: K): ServerSettingValues[K] | undefined {
      const r = get.get(key);
      return r ? (JSON.parse(r.value) as ServerSettingValues[K]) : undefined;
    },
    set<K extends keyof ServerSettingValues>(key: K, value: ServerSettingValues[K], atMs: number): void {
      put.run(key, JSON.stringify(value), atMs);
    },
    delete(key: keyof ServerSettingValues): void {
      del.run(key);
    },
  };
}
export type ServerSettingsStore = ReturnType<typeof createServerSettingsStore>;
