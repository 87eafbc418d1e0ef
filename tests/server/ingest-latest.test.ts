/**
 * Ingest's latest values per report: every stored report carries its own map (a later report
 * never changes one a listener still holds), equal, keys in the same order, to the previous map
 * with the report's samples written over it; the device row ends with the last one. A guard for
 * anyone who would update the map in place to save the copy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pino } from 'pino';
import { formatSeriesKey } from '../../shared/metrics.js';
import type { Sample } from '../../shared/protocol.js';
import { createIngest, type StoredReport } from '../../server/ingest/ingest.js';
import { createMetricStore } from '../../server/series/index.js';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0, 0);

/** The series a device may send; reports are drawn from them in agent order, with changes. */
const SERIES: Sample[] = [
  { name: 'cpu.loadPct', value: 0 },
  { name: 'cpu.coreLoadPct', labels: { core: '0' }, value: 0 },
  { name: 'cpu.coreLoadPct', labels: { core: '1' }, value: 0 },
  { name: 'mem.usedPct', value: 0 },
  { name: 'fs.sizeBytes', labels: { mount: '/' }, value: 0 },
  { name: 'fs.usedPct', labels: { mount: '/' }, value: 0 },
  { name: 'fs.usedPct', labels: { mount: '/data' }, value: 0 },
  { name: 'net.rxBytesPerSec', labels: { iface: 'eth0' }, value: 0 },
];

/** One report's samples: usually all series in order, sometimes fewer, reordered, repeated or new. */
const reportSamples = fc
  .tuple(
    fc.constantFrom('same', 'same', 'same', 'fewer', 'reversed', 'repeat', 'more'),
    fc.integer({ min: 1, max: SERIES.length }),
    fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: SERIES.length + 2, maxLength: SERIES.length + 2 }),
  )
  .map(([kind, n, values]) => {
    const base = kind === 'more' ? SERIES : SERIES.slice(0, SERIES.length - 2);
    let list = kind === 'fewer' ? base.slice(0, Math.min(n, base.length)) : [...base];
    if (kind === 'reversed') list.reverse();
    if (kind === 'repeat') list = [...list, list[0]!];
    return list.map((s, i) => ({ ...s, ...(s.labels ? { labels: { ...s.labels } } : {}), value: values[i]! }));
  });

describe('ingest latest values', () => {
  let dir: string;
  let db: Db;
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every stored report its own latest map, the previous one with the report written over it', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-ingest-latest-'));
    db = openDatabase(dir);
    const devices = createDeviceStore(db);
    const client = createClientStore(db).create({ name: 'Latest', contract: 'monthly' }, T0);
    const ids = ['a', 'b'].map((h) => devices.enroll({ clientId: client.id, hostname: h, deviceToken: `qpd_${h}_${Math.random()}` }, T0).device.id);
    const ingest = createIngest({ db, devices, metrics: createMetricStore(db, { now: () => T0 }), logger: pino({ level: 'silent' }), now: () => T0 });
    const held: { stored: StoredReport; copy: [string, number][] }[] = [];
    ingest.onCommitted((stored) => {
      for (const s of stored) held.push({ stored: s, copy: Object.entries(s.latest) });
    });
    const expected = new Map<string, Record<string, number>>();
    const seqs = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1 }), reportSamples), { minLength: 1, maxLength: 12 }), (batch) => {
        held.length = 0;
        const wanted: [string, number][][] = [];
        for (const [d, samples] of batch) {
          const deviceId = ids[d]!;
          const seq = (seqs.get(deviceId) ?? 0) + 1;
          seqs.set(deviceId, seq);
          const next = { ...(expected.get(deviceId) ?? {}) };
          for (const s of samples) next[formatSeriesKey(s.name, s.labels)] = s.value;
          expected.set(deviceId, next);
          wanted.push(Object.entries(next));
          ingest.submit(
            { deviceId, streamId: `stream-${deviceId}`, report: { type: 'report', v: 1, seq, tsMs: T0 + seq * 1_000, metrics: samples }, receivedAtMs: T0 },
            () => {},
          );
        }
        // One batch: several reports of a device in one transaction.
        ingest.flushAll();
        expect(held.map((h) => h.copy)).toEqual(wanted);
        // Later reports changed none of the maps handed out (entries in order, as they were).
        expect(held.map((h) => Object.entries(h.stored.latest))).toEqual(wanted);
        expect(new Set(held.map((h) => h.stored.latest)).size).toBe(held.length);
        for (const deviceId of ids)
          if (expected.has(deviceId)) expect(Object.entries(devices.findById(deviceId)!.latest)).toEqual(Object.entries(expected.get(deviceId)!));
      }),
      { numRuns: 60 },
    );
  });
});
