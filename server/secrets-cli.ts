/**
 * CLI glue for `quarkpulse secrets rotate-key`: a new key seals every secret in the database and
 * the old keys leave the key file. Safe while the server runs: the new key is put first in the
 * ring (a running server picks it up at its next use of a secret), then, after a pause longer than
 * any single write of the server, every value is re-sealed in one write transaction, checked, and
 * only then are the old keys dropped. Database backups taken before need the old key file.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { openDatabase } from './store/database.js';
import { createAuditLog } from './audit/audit-log.js';
import { createSecretBox, generateSecretKey, keyFilePath, readKeyFile, writeKeyFile } from './lib/secret-box.js';
import { countSealedWithOtherKeys, resealColumns, resealLegacyProbeSecrets, unknownKeyIds } from './auth/sealed-columns.js';
import { LEGACY_PROBE_KEY_FILE, openLegacyProbeKey } from './lib/probe-secret-box.js';
import path from 'node:path';
import { CLI_ACTOR } from './accounts/user-service.js';
import { systemClock } from './time/clock.js';

/** How long running servers get to notice the new key before values are re-sealed, ms. */
const PICKUP_PAUSE_MS = 1_500;

function write(cmd: Command, text: string): void {
  const out = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
  out(text);
}

/** Registers `secrets rotate-key` on the top-level program. */
export function registerSecretsCommands(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('the key that seals channel passwords, TOTP seeds, SNMP credentials and other secrets in the database');
  secrets
    .command('rotate-key')
    .description('make a new key, re-seal every secret with it and drop the old key (the server may keep running)')
    .option('-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .option('--key-file <file>', 'key file (env QP_SECRET_KEY_FILE, default <data dir>/secret.key)')
    .action(async (flags: { data?: string; keyFile?: string }, cmd: Command) => {
      const fail = (msg: string, code: string): never => cmd.error(msg, { exitCode: 1, code });
      const dataDir = flags.data ?? process.env.QP_DATA_DIR ?? './data';
      const file = keyFilePath(dataDir, flags.keyFile ?? (process.env.QP_SECRET_KEY_FILE || undefined));
      let old;
      try {
        old = readKeyFile(file);
      } catch (err) {
        return fail(`error: ${(err as Error).message}`, 'quarkpulse.keyFile');
      }
      const db = openDatabase(dataDir);
      try {
        const oldBox = createSecretBox(old, file);
        const missing = unknownKeyIds(db, oldBox);
        if (missing.length > 0)
          fail(
            `error: the database holds secrets sealed with key ${missing.join(', ')}, which ${file} does not hold; nothing changed`,
            'quarkpulse.keyUnknown',
          );
        // SNMP credentials of a version before the ring join it first, so the rotation covers them.
        const legacyProbeKey = path.join(dataDir, LEGACY_PROBE_KEY_FILE);
        try {
          resealLegacyProbeSecrets(db, oldBox, openLegacyProbeKey(legacyProbeKey), legacyProbeKey);
        } catch (err) {
          fail(`error: ${(err as Error).message}; nothing changed`, 'quarkpulse.keyUnknown');
        }
        const fresh = generateSecretKey(systemClock.now());
        writeKeyFile(file, [fresh, ...old]);
        await sleep(PICKUP_PAUSE_MS);
        const ring = createSecretBox([fresh, ...old], file);
        const target = createSecretBox([fresh], file);
        let resealed = 0;
        for (let i = 0; i < 3 && (i === 0 || countSealedWithOtherKeys(db, fresh.id) > 0); i++) resealed += resealColumns(db, ring, target);
        const left = countSealedWithOtherKeys(db, fresh.id);
        if (left > 0)
          fail(
            `error: ${left} secrets are still sealed with an old key; the key file keeps the old keys too; run the command again`,
            'quarkpulse.rotationIncomplete',
          );
        writeKeyFile(file, [fresh]);
        createAuditLog({ db, now: systemClock.now }).record(CLI_ACTOR, {
          action: 'secrets.rotate-key',
          entityType: 'secret-key',
          entityId: fresh.id,
          summary: `secrets re-sealed with a new key (${resealed} values); old key${old.length === 1 ? '' : 's'} ${old.map((k) => k.id).join(', ')} dropped`,
        });
        write(
          cmd,
          `re-sealed ${resealed} secret${resealed === 1 ? '' : 's'} with the new key ${fresh.id}; ${file} holds only that key now. Back it up: database backups taken before this need the old key file.\n`,
        );
      } finally {
        db.close();
      }
    });
}
