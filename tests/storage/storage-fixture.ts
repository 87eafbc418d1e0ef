/** A real SQLite file in a temp dir with the metric store, compactor and retention on a test clock. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';
import { createMetricStore } from '../../server/series/metrics.js';
import { createCompactor } from '../../server/series/compactor.js';
import { createRetention } from '../../server/series/retention.js';
import type { RetentionPolicy } from '../../server/series/retention-policy.js';

export interface StorageFixture {
  dir: string;
  db: Db;
  clock: { nowMs: number };
  metrics: ReturnType<typeof createMetricStore>;
  compactor: ReturnType<typeof createCompactor>;
  retention: ReturnType<typeof createRetention>;
  addDevice(hostname?: string): string;
  /** Closes the database and opens it again on the same file (a restart). */
  reopen(): StorageFixture;
  close(): void;
}

function build(dir: string, clock: { nowMs: number }, retentionPolicy?: RetentionPolicy): StorageFixture {
  const db = openDatabase(dir);
  const now = () => clock.nowMs;
  const clients = createClientStore(db);
  const devices = createDeviceStore(db);
  const metrics = createMetricStore(db, { now, retention: retentionPolicy });
  const compactor = createCompactor({ db, metrics, now });
  const retention = createRetention({ metrics, now });
  let clientId = clients.findByName('Fixture')?.id;
  return {
    dir,
    db,
    clock,
    metrics,
    compactor,
    retention,
    addDevice(hostname = 'host') {
      clientId ??= clients.create({ name: 'Fixture', contract: 'monthly' }, 0).id;
      return devices.enroll({ clientId, hostname, deviceToken: `qpd_${Math.random()}` }, 0).device.id;
    },
    reopen() {
      db.close();
      return build(dir, clock, retentionPolicy);
    },
    close() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function createStorageFixture(startMs: number, retention?: RetentionPolicy): StorageFixture {
  return build(mkdtempSync(path.join(tmpdir(), 'qp-storage-')), { nowMs: startMs }, retention);
}
