/**
 * Probed devices (site probe): devices without an agent that an agent device of the same client
 * checks, their checks, and the latest outcome of each check in words. Rows live in `devices`
 * (kind ≠ 'agent', probe_device_id set), so the fleet, rules, routing, maintenance and reports
 * treat them like any device.
 */
import type { CheckResult, ProbeCheck, ProbeConfig, ProbedDeviceKind } from '../../shared/probe.js';
import type { Db } from './database.js';
import { generateId } from '../lib/secrets.js';
import type { PurposeBox } from '../lib/probe-secret-box.js';

/** The write-only fields of a check (SNMP credentials). */
const SECRET_FIELDS = ['community', 'v3'] as const;

/** A check without its credential fields, and the credential as JSON (undefined when none). */
function splitSecret(check: ProbeCheck): { check: ProbeCheck; secret: string | undefined } {
  const copy = { ...check } as Record<string, unknown>;
  const secret: Record<string, unknown> = {};
  for (const f of SECRET_FIELDS) {
    if (copy[f] !== undefined) secret[f] = copy[f];
    delete copy[f];
  }
  return { check: copy as ProbeCheck, secret: Object.keys(secret).length > 0 ? JSON.stringify(secret) : undefined };
}

/** A probed device's probe settings. */
export interface ProbedDevice {
  id: string;
  clientId: string;
  hostname: string;
  kind: ProbedDeviceKind;
  probeDeviceId: string;
  intervalMs: number;
  checks: ProbeCheck[];
}

interface ProbedRow {
  id: string;
  client_id: string;
  hostname: string;
  kind: ProbedDeviceKind;
  probe_device_id: string;
  interval_ms: number;
  probe_checks_json: string;
}

const toProbed = (r: ProbedRow): ProbedDevice => ({
  id: r.id,
  clientId: r.client_id,
  hostname: r.hostname,
  kind: r.kind,
  probeDeviceId: r.probe_device_id,
  intervalMs: r.interval_ms,
  checks: JSON.parse(r.probe_checks_json) as ProbeCheck[],
});

/** Builds the probe statements once; credentials are sealed with `box`. */
export function createProbeStore(db: Db, box: PurposeBox) {
  const putSecret = db.prepare(
    `INSERT INTO probe_secrets (device_id, check_id, sealed) VALUES (?, ?, ?)
     ON CONFLICT (device_id, check_id) DO UPDATE SET sealed = excluded.sealed`,
  );
  const secretsOf = db.prepare<[string], { check_id: string; sealed: string }>('SELECT check_id, sealed FROM probe_secrets WHERE device_id = ?');
  const dropSecrets = db.prepare('DELETE FROM probe_secrets WHERE device_id = ? AND check_id NOT IN (SELECT value FROM json_each(?))');
  /** Stores the checks without credentials and seals the credentials given; returns the stored checks. */
  function storeSecrets(deviceId: string, checks: readonly ProbeCheck[]): ProbeCheck[] {
    return checks.map((c) => {
      const { check, secret } = splitSecret(c);
      if (secret !== undefined) putSecret.run(deviceId, c.id, box.seal(secret));
      return check;
    });
  }
  /** The checks with their credentials put back, for the probe only. */
  function withSecrets(deviceId: string, checks: readonly ProbeCheck[]): ProbeCheck[] {
    const rows = secretsOf.all(deviceId);
    if (rows.length === 0) return [...checks];
    const byCheck = new Map(rows.map((r) => [r.check_id, r.sealed]));
    return checks.map((c) => {
      const sealed = byCheck.get(c.id);
      return sealed ? ({ ...c, ...(JSON.parse(box.open(sealed)) as object) } as ProbeCheck) : c;
    });
  }
  const insert = db.prepare(
    `INSERT INTO devices (id, client_id, hostname, token_hash, enrolled_at_ms, interval_ms, kind, probe_device_id, probe_checks_json)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const COLUMNS = 'id, client_id, hostname, kind, probe_device_id, interval_ms, probe_checks_json';
  const byId = db.prepare<[string], ProbedRow>(`SELECT ${COLUMNS} FROM devices WHERE id = ? AND probe_device_id IS NOT NULL`);
  const ofProbe = db.prepare<[string], ProbedRow>(`SELECT ${COLUMNS} FROM devices WHERE probe_device_id = ? AND is_disabled = 0 ORDER BY hostname`);
  const allOfProbe = db.prepare<[string], { hostname: string }>('SELECT hostname FROM devices WHERE probe_device_id = ? ORDER BY hostname');
  const update = db.prepare('UPDATE devices SET probe_device_id = ?, interval_ms = ?, probe_checks_json = ? WHERE id = ?');
  const upsertResult = db.prepare(
    `INSERT INTO probe_check_results (device_id, check_id, ts_ms, state, message) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (device_id, check_id) DO UPDATE SET ts_ms = excluded.ts_ms, state = excluded.state, message = excluded.message
     WHERE excluded.ts_ms >= probe_check_results.ts_ms`,
  );
  const resultsOf = db.prepare<[string], { check_id: string; ts_ms: number; state: CheckResult['state']; message: string }>(
    'SELECT check_id, ts_ms, state, message FROM probe_check_results WHERE device_id = ? ORDER BY check_id',
  );
  const dropResults = db.prepare('DELETE FROM probe_check_results WHERE device_id = ? AND check_id NOT IN (SELECT value FROM json_each(?))');
  const saveResults = db.transaction((deviceId: string, tsMs: number, results: readonly CheckResult[]) => {
    for (const r of results) upsertResult.run(deviceId, r.checkId, tsMs, r.state, r.message);
  });

  return {
    /** Creates a probed device of a client; returns its id. */
    create(
      input: { clientId: string; name: string; kind: ProbedDeviceKind; probeDeviceId: string; intervalMs: number; checks: ProbeCheck[] },
      nowMs: number,
    ): string {
      const id = generateId();
      db.transaction(() => {
        insert.run(id, input.clientId, input.name, `probed:${id}`, nowMs, input.intervalMs, input.kind, input.probeDeviceId, '[]');
        update.run(input.probeDeviceId, input.intervalMs, JSON.stringify(storeSecrets(id, input.checks)), id);
      })();
      return id;
    },
    /** A probed device, or undefined for unknown ids and agent devices. */
    find(id: string): ProbedDevice | undefined {
      const r = byId.get(id);
      return r && toProbed(r);
    },
    /** Hostnames of every probed device assigned to a probe, disabled ones too. */
    targetNamesOf(probeDeviceId: string): string[] {
      return allOfProbe.all(probeDeviceId).map((r) => r.hostname);
    },
    /** The enabled probed devices a probe checks. */
    listOfProbe(probeDeviceId: string): ProbedDevice[] {
      return ofProbe.all(probeDeviceId).map(toProbed);
    },
    /**
     * Changes the probe, interval or checks; results and credentials of removed checks are
     * forgotten, a check given without its credential keeps the stored one.
     */
    update(id: string, next: { probeDeviceId: string; intervalMs: number; checks: ProbeCheck[] }): void {
      db.transaction(() => {
        const ids = JSON.stringify(next.checks.map((c) => c.id));
        update.run(next.probeDeviceId, next.intervalMs, JSON.stringify(storeSecrets(id, next.checks)), id);
        dropResults.run(id, ids);
        dropSecrets.run(id, ids);
      })();
    },
    /** Ids of the checks that have a stored credential. */
    credentialChecks(id: string): string[] {
      return secretsOf
        .all(id)
        .map((r) => r.check_id)
        .sort();
    },
    /** What a probe is told to run (`config.probe`); undefined when it probes nothing. */
    configFor(probeDeviceId: string): ProbeConfig | undefined {
      const targets = ofProbe.all(probeDeviceId).map(toProbed);
      if (targets.length === 0) return undefined;
      return { targets: targets.map((t) => ({ deviceId: t.id, kind: t.kind, intervalMs: t.intervalMs, checks: withSecrets(t.id, t.checks) })) };
    },
    /** Stores the latest check outcomes; an older report (a replay) never overwrites a newer one. */
    saveResults(deviceId: string, tsMs: number, results: readonly CheckResult[]): void {
      if (results.length > 0) saveResults(deviceId, tsMs, results);
    },
    /** The latest outcome per check. */
    results(deviceId: string): (CheckResult & { tsMs: number })[] {
      return resultsOf.all(deviceId).map((r) => ({ checkId: r.check_id, state: r.state, message: r.message, tsMs: r.ts_ms }));
    },
  };
}
export type ProbeStore = ReturnType<typeof createProbeStore>;
