/**
 * Discovery scans (site probe) and the devices they found. A scan is `running` until its probe
 * reports the last frame (`done`), a person cancels it, or its deadline passes (`expired`: the
 * probe was away or died mid-scan). The SNMP credential of a scan is sealed like the probe's check
 * credentials and is only opened for the probe's config and for the checks of adopted devices.
 */
import type { DiscoveryScanConfig } from '../../shared/probe.js';
import type { DiscoveryKindGuess, DiscoveryRefusal, FoundDevice, ScanState } from '../../shared/discovery-constants.js';
import type { Db } from './database.js';
import { isScannedAddress } from '../../shared/ipv4-ranges.js';
import { generateId } from '../lib/secrets.js';
import type { PurposeBox } from '../lib/probe-secret-box.js';

/** GCM additional data of a sealed scan credential (server/auth/sealed-columns.ts). */
export const DISCOVERY_CREDENTIAL_PURPOSE = 'discovery-credential';

/** The write-only part of a scan. */
export interface ScanCredential {
  community?: string;
  v3?: DiscoveryScanConfig['v3'];
}

/** A scan as stored, without its credential. */
export interface DiscoveryScan {
  id: string;
  clientId: string;
  probeDeviceId: string;
  ranges: string[];
  port: number;
  version: 'v2c' | 'v3';
  ratePerSec: number;
  timeoutMs: number;
  addressCount: number;
  state: ScanState;
  scanned: number;
  requestedBy: string | null;
  createdAtMs: number;
  deadlineMs: number;
  finishedAtMs: number | null;
}

/** A found device as stored. */
export interface DiscoveredDevice extends FoundDevice {
  scanId: string;
  foundAtMs: number;
  adoptedDeviceId: string | null;
}

interface ScanRow {
  id: string;
  client_id: string;
  probe_device_id: string;
  ranges_json: string;
  port: number;
  version: 'v2c' | 'v3';
  rate_per_sec: number;
  timeout_ms: number;
  address_count: number;
  state: ScanState;
  scanned: number;
  requested_by: string | null;
  created_ms: number;
  deadline_ms: number;
  finished_ms: number | null;
}
interface FoundRow {
  scan_id: string;
  address: string;
  sys_descr: string;
  sys_name: string | null;
  sys_object_id: string | null;
  /** The kind guess, or `refused:<why>` for a v3 device that refused the credential (see REFUSED). */
  kind_guess: string | null;
  found_ms: number;
  adopted_device_id: string | null;
}

const toScan = (r: ScanRow): DiscoveryScan => ({
  id: r.id,
  clientId: r.client_id,
  probeDeviceId: r.probe_device_id,
  ranges: JSON.parse(r.ranges_json) as string[],
  port: r.port,
  version: r.version,
  ratePerSec: r.rate_per_sec,
  timeoutMs: r.timeout_ms,
  addressCount: r.address_count,
  state: r.state,
  scanned: r.scanned,
  requestedBy: r.requested_by,
  createdAtMs: r.created_ms,
  deadlineMs: r.deadline_ms,
  finishedAtMs: r.finished_ms,
});
/**
 * A refused device has no kind to guess (nothing could be read), so its refusal is kept in the
 * kind_guess column as `refused:<why>` rather than in a column of its own.
 */
const REFUSED = 'refused:';
const kindColumn = (f: FoundDevice): string | null => (f.refusal ? `${REFUSED}${f.refusal}` : (f.kindGuess ?? null));
const toFound = (r: FoundRow): DiscoveredDevice => ({
  scanId: r.scan_id,
  address: r.address,
  sysDescr: r.sys_descr,
  ...(r.sys_name !== null ? { sysName: r.sys_name } : {}),
  ...(r.sys_object_id !== null ? { sysObjectId: r.sys_object_id } : {}),
  ...(r.kind_guess === null
    ? {}
    : r.kind_guess.startsWith(REFUSED)
      ? { refusal: r.kind_guess.slice(REFUSED.length) as DiscoveryRefusal }
      : { kindGuess: r.kind_guess as DiscoveryKindGuess }),
  foundAtMs: r.found_ms,
  adoptedDeviceId: r.adopted_device_id,
});

/** What a probe's frame did to its scan. */
export type ScanResultOutcome = 'unknown' | 'recorded' | 'finished';

/** Builds the discovery statements once; credentials are sealed with `box`. */
export function createDiscoveryStore(db: Db, box: PurposeBox) {
  const insert = db.prepare(
    `INSERT INTO discovery_scans (id, client_id, probe_device_id, ranges_json, port, version, credential_sealed, rate_per_sec, timeout_ms,
       address_count, state, requested_by, created_ms, deadline_ms)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
  );
  const COLUMNS =
    'id, client_id, probe_device_id, ranges_json, port, version, rate_per_sec, timeout_ms, address_count, state, scanned, requested_by, created_ms, deadline_ms, finished_ms';
  const byId = db.prepare<[string], ScanRow>(`SELECT ${COLUMNS} FROM discovery_scans WHERE id = ?`);
  const ofClient = db.prepare<[string, number], ScanRow>(`SELECT ${COLUMNS} FROM discovery_scans WHERE client_id = ? ORDER BY created_ms DESC, id LIMIT ?`);
  const runningOf = db.prepare<[string], ScanRow & { credential_sealed: string }>(
    `SELECT ${COLUMNS}, credential_sealed FROM discovery_scans WHERE probe_device_id = ? AND state = 'running' ORDER BY created_ms`,
  );
  const credentialOf = db.prepare<[string], { credential_sealed: string }>('SELECT credential_sealed FROM discovery_scans WHERE id = ?');
  const expire = db.prepare("UPDATE discovery_scans SET state = 'expired', finished_ms = ? WHERE state = 'running' AND deadline_ms < ?");
  const setProgress = db.prepare("UPDATE discovery_scans SET scanned = max(scanned, ?) WHERE id = ? AND state = 'running'");
  const finish = db.prepare("UPDATE discovery_scans SET state = ?, finished_ms = ? WHERE id = ? AND state = 'running'");
  const upsertFound = db.prepare(
    `INSERT INTO discovered_devices (scan_id, address, sys_descr, sys_name, sys_object_id, kind_guess, found_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (scan_id, address) DO UPDATE SET sys_descr = excluded.sys_descr, sys_name = excluded.sys_name,
       sys_object_id = excluded.sys_object_id, kind_guess = excluded.kind_guess`,
  );
  const foundOf = db.prepare<[string], FoundRow>('SELECT * FROM discovered_devices WHERE scan_id = ? ORDER BY found_ms, address');
  const foundOne = db.prepare<[string, string], FoundRow>('SELECT * FROM discovered_devices WHERE scan_id = ? AND address = ?');
  const adopt = db.prepare('UPDATE discovered_devices SET adopted_device_id = ? WHERE scan_id = ? AND address = ?');

  const record = db.transaction((scanId: string, scanned: number, found: readonly FoundDevice[], isDone: boolean, nowMs: number) => {
    for (const f of found) upsertFound.run(scanId, f.address, f.sysDescr, f.sysName ?? null, f.sysObjectId ?? null, kindColumn(f), nowMs);
    setProgress.run(scanned, scanId);
    if (isDone) finish.run('done', nowMs, scanId);
  });

  return {
    /** Stores a new running scan; returns its id. */
    create(input: Omit<DiscoveryScan, 'id' | 'state' | 'scanned' | 'finishedAtMs' | 'createdAtMs'> & { credential: ScanCredential }, nowMs: number): string {
      const id = generateId();
      insert.run(
        id,
        input.clientId,
        input.probeDeviceId,
        JSON.stringify(input.ranges),
        input.port,
        input.version,
        box.seal(JSON.stringify(input.credential)),
        input.ratePerSec,
        input.timeoutMs,
        input.addressCount,
        input.requestedBy,
        nowMs,
        input.deadlineMs,
      );
      return id;
    },
    /** Marks running scans past their deadline as expired; returns how many. */
    expireOverdue(nowMs: number): number {
      return expire.run(nowMs, nowMs).changes;
    },
    find(id: string): DiscoveryScan | undefined {
      const r = byId.get(id);
      return r && toScan(r);
    },
    /** A client's latest scans, newest first. */
    listOfClient(clientId: string, limit = 20): DiscoveryScan[] {
      return ofClient.all(clientId, limit).map(toScan);
    },
    /** What the probe is told to run: its running scans with their credentials. */
    configFor(probeDeviceId: string): DiscoveryScanConfig[] {
      return runningOf.all(probeDeviceId).map((r) => ({
        scanId: r.id,
        ranges: JSON.parse(r.ranges_json) as string[],
        port: r.port,
        version: r.version,
        ratePerSec: r.rate_per_sec,
        timeoutMs: r.timeout_ms,
        ...(JSON.parse(box.open(r.credential_sealed)) as ScanCredential),
      }));
    },
    /** How many scans of a probe are running. */
    runningCount(probeDeviceId: string): number {
      return runningOf.all(probeDeviceId).length;
    },
    /** The scan's credential, for the checks of a device adopted from it. */
    credentialOf(id: string): ScanCredential | undefined {
      const r = credentialOf.get(id);
      return r && (JSON.parse(box.open(r.credential_sealed)) as ScanCredential);
    },
    /**
     * Records a probe's frame: found devices (again: updated in place), progress, and the end.
     * 'unknown' when the scan is not running on this probe (nothing is stored).
     */
    recordResult(probeDeviceId: string, scanId: string, scanned: number, found: readonly FoundDevice[], isDone: boolean, nowMs: number): ScanResultOutcome {
      const scan = byId.get(scanId);
      if (!scan || scan.probe_device_id !== probeDeviceId || scan.state !== 'running') return 'unknown';
      // Only addresses the scan asked: a probe cannot slip in devices of ranges nobody gave it.
      const ranges = JSON.parse(scan.ranges_json) as string[];
      const inside = found.filter((f) => isScannedAddress(f.address, ranges));
      record(scanId, Math.min(scanned, scan.address_count), inside, isDone, nowMs);
      return isDone ? 'finished' : 'recorded';
    },
    /** Stops a running scan at a person's request; false when it was not running. */
    cancel(id: string, nowMs: number): boolean {
      return finish.run('cancelled', nowMs, id).changes === 1;
    },
    found(scanId: string): DiscoveredDevice[] {
      return foundOf.all(scanId).map(toFound);
    },
    foundOne(scanId: string, address: string): DiscoveredDevice | undefined {
      const r = foundOne.get(scanId, address);
      return r && toFound(r);
    },
    markAdopted(scanId: string, address: string, deviceId: string): void {
      adopt.run(deviceId, scanId, address);
    },
  };
}
export type DiscoveryStore = ReturnType<typeof createDiscoveryStore>;
