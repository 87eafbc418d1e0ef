/**
 * The fleet services on a real SQLite file, called directly (no HTTP): each change writes its
 * audit entry in the same transaction, and a change the database refuses leaves no entry.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createDeviceStore } from '../../server/store/devices.js';
import { createAgentSettingsStore } from '../../server/store/agent-settings.js';
import { createProbeStore } from '../../server/store/probes.js';
import { createAuditLog, type AuditActor } from '../../server/audit/audit-log.js';
import { createSecretBox, generateSecretKey } from '../../server/lib/secret-box.js';
import { probeCredentialBox, purposeBox } from '../../server/lib/probe-secret-box.js';
import { createDiscoveryStore, DISCOVERY_CREDENTIAL_PURPOSE } from '../../server/store/discovery.js';
import { createFleet, type Fleet } from '../../server/fleet/index.js';
import { HttpError } from '../../server/lib/errors.js';

const T0 = Date.UTC(2026, 11, 3, 9, 0);
const anna: AuditActor = { id: 'u-anna', name: 'anna' };

describe('fleet services', () => {
  let dir: string;
  let db: Db;
  let fleet: Fleet;
  let audit: ReturnType<typeof createAuditLog>;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-fleet-'));
    db = openDatabase(dir);
    audit = createAuditLog({ db, now: () => T0 });
    fleet = createFleet({
      clients: createClientStore(db),
      devices: createDeviceStore(db),
      settings: createAgentSettingsStore(db),
      probes: createProbeStore(db, probeCredentialBox(createSecretBox([generateSecretKey(T0)]))),
      discovery: createDiscoveryStore(db, purposeBox(createSecretBox([generateSecretKey(T0)]), DISCOVERY_CREDENTIAL_PURPOSE)),
      audit,
      now: () => T0,
    });
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const entries = () => audit.page({ limit: 100 }).entries.reverse();

  it('records who created and changed a client, with the changed fields', () => {
    const c = fleet.clients.create(anna, { name: 'Jansen Accountants', contract: 'break-fix', hourlyRate: 85 });
    fleet.clients.update(anna, c.id, { contract: 'monthly', monthlyFee: 450 });
    fleet.clients.update(anna, c.id, { contract: 'monthly' }); // nothing changed: no entry
    expect(entries().map((e) => [e.actorName, e.action, e.summary])).toEqual([
      ['anna', 'client.create', 'created client "Jansen Accountants" (break-fix)'],
      ['anna', 'client.update', 'changed client "Jansen Accountants": contract break-fix → monthly (and monthlyFee)'],
    ]);
    expect(entries()[1]!.detail).toEqual({ changes: { contract: { from: 'break-fix', to: 'monthly' }, monthlyFee: { from: 0, to: 450 } } });
  });

  it('leaves no entry when the database refuses the change', () => {
    const c = fleet.clients.create(anna, { name: 'Visser', contract: 'monthly' });
    const other = fleet.clients.create(anna, { name: 'Bakker', contract: 'monthly' });
    const devices = createDeviceStore(db);
    const a = devices.enroll({ clientId: c.id, hostname: 'visser-pc', machineId: 'm-1', deviceToken: 'tok-a' }, T0).device;
    devices.enroll({ clientId: other.id, hostname: 'bakker-pc', machineId: 'm-1', deviceToken: 'tok-b' }, T0);
    const before = entries().length;

    // A client with a device cannot go (foreign key): CLIENT_IN_USE, and no client.delete entry.
    expect(() => fleet.clients.remove(anna, c.id)).toThrow(expect.objectContaining({ status: 409, code: 'CLIENT_IN_USE' }));
    // The other client already has this machine (unique key): no device.move entry.
    expect(() => fleet.devices.moveToClient(anna, a.id, other.id)).toThrow(expect.objectContaining({ status: 409, code: 'DEVICE_MACHINE_CONFLICT' }));
    expect(() => fleet.clients.create(anna, { name: 'visser', contract: 'break-fix' })).toThrow(HttpError);
    expect(entries().length).toBe(before);
    expect(createClientStore(db).findById(c.id)).toBeDefined();
    expect(createDeviceStore(db).findById(a.id)!.clientId).toBe(c.id);
  });

  it('enrolls a device with its token use and audit entry in one transaction, and re-enrolls the same machine', () => {
    const c = fleet.clients.create(anna, { name: 'Smit', contract: 'monthly' });
    const { token, id: tokenId } = fleet.clients.createEnrollmentToken(anna, c.id, { label: 'office' });
    const first = fleet.devices.enroll({ token, hostname: 'smit-pc', machineId: 'm-9' });
    expect(first).toMatchObject({ isNew: true, clientId: c.id });
    expect(first.deviceToken).toMatch(/^qpd_/);
    const again = fleet.devices.enroll({ token, hostname: 'smit-pc', machineId: 'm-9' });
    expect(again).toMatchObject({ isNew: false, clientId: c.id });
    expect(again.device.id).toBe(first.device.id);
    expect(createClientStore(db).findEnrollmentToken(tokenId)!.usedCount).toBe(2);
    const enrolled = entries().filter((e) => e.action === 'device.enroll');
    expect(enrolled.map((e) => [e.actorName, e.entityId, e.summary])).toEqual([
      ['agent enrollment', first.device.id, `enrolled device smit-pc with enrollment token ${tokenId}`],
      ['agent enrollment', first.device.id, `re-enrolled device smit-pc with enrollment token ${tokenId}`],
    ]);
    expect(JSON.stringify(entries())).not.toContain(first.deviceToken);

    // A disabled machine and an unknown token are refused, with nothing written.
    fleet.devices.setDisabled(anna, first.device.id, true);
    const before = entries().length;
    expect(() => fleet.devices.enroll({ token, hostname: 'smit-pc', machineId: 'm-9' })).toThrow(
      expect.objectContaining({ status: 403, code: 'DEVICE_DISABLED' }),
    );
    expect(() => fleet.devices.enroll({ token: 'qpe_not-a-token', hostname: 'x' })).toThrow(
      expect.objectContaining({ status: 401, code: 'ENROLLMENT_TOKEN_INVALID' }),
    );
    expect(entries().length).toBe(before);
    expect(createClientStore(db).findEnrollmentToken(tokenId)!.usedCount).toBe(2);
  });

  it('records enrollment tokens and device changes, never the token itself', () => {
    const c = fleet.clients.create(anna, { name: 'De Vries', contract: 'monthly' });
    const created = fleet.clients.createEnrollmentToken(anna, c.id, { label: 'office', expiresInHours: 24 });
    expect(created.expiresAtMs).toBe(T0 + 24 * 3_600_000);
    fleet.clients.revokeEnrollmentToken(anna, created.id);
    const d = createDeviceStore(db).enroll({ clientId: c.id, hostname: 'devries-pc', deviceToken: 'tok-c' }, T0).device;
    fleet.devices.setDisabled(anna, d.id, true);
    fleet.devices.setDisabled(anna, d.id, false);
    fleet.devices.setAgentConfig(anna, d.id, { intervalMs: 30_000 });
    expect(entries().map((e) => e.action)).toEqual([
      'client.create',
      'enrollment-token.create',
      'enrollment-token.revoke',
      'device.disable',
      'device.enable',
      'device.agent-config',
    ]);
    expect(JSON.stringify(entries())).not.toContain(created.token);
    expect(() => fleet.clients.revokeEnrollmentToken(anna, 'nope')).toThrow(expect.objectContaining({ code: 'ENROLLMENT_TOKEN_NOT_FOUND' }));
    expect(entries().length).toBe(6);
  });
});
