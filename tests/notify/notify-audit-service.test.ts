/**
 * The channel service on a real SQLite file, called directly (no HTTP): each change writes its
 * audit entry in the same transaction, so a change the database refuses leaves no entry and an
 * entry the database refuses leaves no change.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createUserStore } from '../../server/store/users.js';
import { createChannelStore, type ChannelStore } from '../../server/store/channels.js';
import { createOnCallStore } from '../../server/store/oncall.js';
import { createDeliveryStore } from '../../server/store/deliveries.js';
import { createNotifySettingsStore } from '../../server/store/notify-settings.js';
import { createAuditLog } from '../../server/audit/audit-log.js';
import { createSecretBox, generateSecretKey } from '../../server/lib/secret-box.js';
import { createChannelRegistry } from '../../server/notify/channels/registry.js';
import { createChannelService, type ChannelService } from '../../server/notify/channel-service.js';

const T0 = Date.UTC(2026, 11, 3, 9, 0);
const ANNA = { id: 'u-anna', username: 'anna' };
const HOOK = { type: 'webhook', name: 'ops hook', config: { url: 'https://hooks.example.nl/qp', secret: 'a-shared-hmac-key-1' } };

describe('channel service audit entries', () => {
  let dir: string;
  let db: Db;
  let channels: ChannelStore;
  let audit: ReturnType<typeof createAuditLog>;
  let svc: ChannelService;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-notify-audit-'));
    db = openDatabase(dir);
    const box = createSecretBox([generateSecretKey(T0)]);
    channels = createChannelStore(db, box);
    audit = createAuditLog({ db, now: () => T0 });
    svc = createChannelService({
      channels,
      registry: createChannelRegistry(),
      users: createUserStore(db),
      oncall: createOnCallStore(db),
      deliveries: createDeliveryStore(db),
      settings: createNotifySettingsStore(db, box),
      audit,
      fetch: globalThis.fetch,
      now: () => T0,
      timeoutMs: 1_000,
      baseUrl: () => 'http://127.0.0.1',
      resolveUsers: () => ({ destinations: [], people: [], problems: [] }),
    });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Oldest first. */
  const entries = () => [...audit.page({ limit: 100 }).entries].sort((a, b) => a.id - b.id);
  /** SQLite aborts `event` on `table` inside the transaction, as a full disk or a constraint would. */
  const refusing = (event: 'INSERT' | 'DELETE', table: string, run: () => void) => {
    db.exec(`CREATE TRIGGER refuse BEFORE ${event} ON ${table} BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    try {
      run();
    } finally {
      db.exec('DROP TRIGGER refuse');
    }
  };

  it('records a created, changed and deleted channel with the acting user, secrets masked', () => {
    const c = svc.create(HOOK, ANNA);
    svc.update(c.id, { name: 'night hook' }, ANNA);
    svc.remove(c.id, ANNA);
    const rows = entries();
    expect(rows.map((e) => [e.actorId, e.actorName, e.action, e.entityId, e.summary])).toEqual([
      ['u-anna', 'anna', 'channel.create', c.id, 'created webhook channel "ops hook"'],
      ['u-anna', 'anna', 'channel.update', c.id, 'changed channel "night hook": name'],
      ['u-anna', 'anna', 'channel.delete', c.id, 'deleted webhook channel "night hook"'],
    ]);
    expect(JSON.stringify(rows)).not.toContain(HOOK.config.secret);
    expect(channels.findById(c.id)).toBeUndefined();
  });

  it('writes no entry when the database refuses the change, and no change when it refuses the entry', () => {
    const c = svc.create(HOOK, ANNA);
    const before = entries().length;

    refusing('DELETE', 'channels', () => expect(() => svc.remove(c.id, ANNA)).toThrow('refused by the test'));
    expect(entries().length).toBe(before);
    expect(channels.findById(c.id)?.name).toBe('ops hook');

    refusing('INSERT', 'audit_log', () => {
      expect(() => svc.update(c.id, { name: 'night hook' }, ANNA)).toThrow('refused by the test');
      expect(() => svc.create({ ...HOOK, name: 'second hook' }, ANNA)).toThrow('refused by the test');
    });
    expect(channels.findById(c.id)?.name).toBe('ops hook');
    expect(svc.list().map((x) => x.name)).toEqual(['ops hook']);
    expect(entries().length).toBe(before);
  });
});
