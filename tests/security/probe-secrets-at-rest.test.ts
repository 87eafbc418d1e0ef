/**
 * SNMP credentials at rest (issue 17 item 10): a v2c community and v3 keys are sealed by the key
 * ring, re-sealed by `quarkpulse secrets rotate-key` (the real CLI) with every other secret, and
 * still open for the probe afterwards. Values sealed by the pre-ring probe key (`v1:`, a separate
 * `probe-secrets.key`) are re-sealed into the ring at start; without that old key file the
 * server refuses to start and says which file to restore, changing nothing.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from '../../server/index.js';
import { ADMIN_PASSWORD, ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { runCli } from '../helpers/run-cli.js';
import { rawDatabaseFiles } from '../helpers/raw-db.js';

const COMMUNITY = 'kantoor-ro-7731';
const V3 = { user: 'monitor', authProtocol: 'sha', authKey: 'auth-key-5512-abc', privProtocol: 'aes', privKey: 'priv-key-9043-xyz' } as const;

/** A value as the pre-ring probe store sealed it: `v1:` + base64(iv | tag | ciphertext), AES-256-GCM. */
function sealLegacy(key: Buffer, plain: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return `v1:${Buffer.concat([iv, c.getAuthTag(), data]).toString('base64')}`;
}

describe('SNMP credentials at rest', () => {
  let t: TestServer | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  /** A server with one probe and a printer checked over v2c and v3; answers what the probe is told. */
  async function withProbedPrinter(dataDir: string) {
    t = await startTestServer({ dataDir });
    const api = new ApiClient(t.url);
    await api.login();
    const probe = await enrollTestDevice(api, { clientName: 'Jansen Accountants', contract: 'monthly', hostname: 'jansen-probe' });
    const created = await api.post(`/api/clients/${probe.clientId}/probed-devices`, {
      name: 'jansen-printer',
      kind: 'printer',
      probeDeviceId: probe.deviceId,
      intervalMs: 60_000,
      checks: [
        { id: 'v2', type: 'snmp', host: '192.0.2.10', template: 'printer', version: 'v2c', community: COMMUNITY },
        { id: 'v3', type: 'snmp', host: '192.0.2.10', template: 'printer', version: 'v3', v3: V3 },
      ],
    });
    expect(created.status, created.text).toBe(201);
    return { api, probe };
  }

  const toldToProbe = (probeDeviceId: string) => {
    const checks = t!.server.ctx.probes.configFor(probeDeviceId)!.targets[0]!.checks as { id: string; community?: string; v3?: typeof V3 }[];
    return { community: checks.find((c) => c.id === 'v2')!.community, v3: checks.find((c) => c.id === 'v3')!.v3 };
  };
  const sealedValues = () =>
    (t!.server.db.prepare('SELECT check_id, sealed FROM probe_secrets ORDER BY check_id').all() as { check_id: string; sealed: string }[]).map((r) => r.sealed);

  it('re-seals them with the real rotate-key CLI, and the probe still gets them', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-probe-rotate-'));
    const { probe } = await withProbedPrinter(dataDir);
    const keyFile = path.join(dataDir, 'secret.key');
    const oldKeyId = JSON.parse(readFileSync(keyFile, 'utf8')).keys[0].id as string;
    expect(sealedValues().every((v) => v.startsWith(`enc1:${oldKeyId}:`))).toBe(true);

    const r = await runCli(['secrets', 'rotate-key', '--data', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const newKeyId = (JSON.parse(readFileSync(keyFile, 'utf8')).keys as { id: string }[])[0]!.id;
    expect(newKeyId).not.toBe(oldKeyId);
    expect(sealedValues()).toHaveLength(2);
    expect(sealedValues().every((v) => v.startsWith(`enc1:${newKeyId}:`))).toBe(true);
    // The running server opens them with the new ring, and so does a restarted one.
    expect(toldToProbe(probe.deviceId)).toEqual({ community: COMMUNITY, v3: V3 });
    await t!.close();
    t = await startTestServer({ dataDir });
    expect(toldToProbe(probe.deviceId)).toEqual({ community: COMMUNITY, v3: V3 });
    for (const f of rawDatabaseFiles(dataDir)) for (const s of [COMMUNITY, V3.authKey, V3.privKey]) expect(f.includes(s), s).toBe(false);
  }, 120_000);

  it('re-seals values of the old probe key into the ring at start, and refuses to start without that key', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-probe-legacy-'));
    const { probe } = await withProbedPrinter(dataDir);
    await t!.close();
    t = undefined;
    // Put the database back as the pre-ring version left it: both values sealed with probe-secrets.key.
    const legacyKey = randomBytes(32);
    const db = new Database(path.join(dataDir, 'quarkpulse.db'));
    db.prepare("UPDATE probe_secrets SET sealed = ? WHERE check_id = 'v2'").run(sealLegacy(legacyKey, JSON.stringify({ community: COMMUNITY })));
    db.prepare("UPDATE probe_secrets SET sealed = ? WHERE check_id = 'v3'").run(sealLegacy(legacyKey, JSON.stringify({ v3: V3 })));
    db.close();

    // Without the old key file: no start, a message naming the file, nothing changed.
    const failed = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) }).then(
      async (s) => {
        await s.close();
        return undefined;
      },
      (err: Error) => err,
    );
    expect(failed?.message).toBe(
      `the database holds SNMP credentials sealed with the old probe key ${path.join(dataDir, 'probe-secrets.key')}, which does not exist; restore that file from your backup`,
    );
    const still = new Database(path.join(dataDir, 'quarkpulse.db'), { readonly: true });
    expect((still.prepare('SELECT sealed FROM probe_secrets').all() as { sealed: string }[]).every((r) => r.sealed.startsWith('v1:'))).toBe(true);
    still.close();

    // With it: re-sealed into the ring at start, opened for the probe.
    writeFileSync(path.join(dataDir, 'probe-secrets.key'), legacyKey.toString('base64'), { mode: 0o600 });
    t = await startTestServer({ dataDir });
    const keyId = JSON.parse(readFileSync(path.join(dataDir, 'secret.key'), 'utf8')).keys[0].id as string;
    expect(sealedValues().every((v) => v.startsWith(`enc1:${keyId}:`))).toBe(true);
    expect(toldToProbe(probe.deviceId)).toEqual({ community: COMMUNITY, v3: V3 });
  }, 120_000);
});
