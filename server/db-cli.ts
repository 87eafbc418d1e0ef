/**
 * CLI glue for `quarkpulse db vacuum [--data-dir DIR]`: the one-time rebuild of a database made
 * by an older version (auto_vacuum NONE) into one whose free pages the server gives back as it
 * runs (INCREMENTAL), docs/OPERATIONS.md "Shrinking an old database file". The server must be
 * stopped; the command refuses while any connection has the file open, and when the disk has no
 * room for the copy VACUUM writes (server/store/vacuum.ts).
 */
import type { Command } from 'commander';
import { formatBytes } from '../shared/format.js';
import { VacuumRefused, vacuumDatabaseFile } from './store/vacuum.js';

function write(cmd: Command, text: string): void {
  const out = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
  out(text);
}

/** Registers `db` on the top-level program. */
export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('the database file: one-time maintenance, with the server stopped');

  db.command('vacuum')
    .description(
      'rebuild the database (VACUUM) so it gives free space back to the disk from then on (auto_vacuum incremental); stop the server first, needs free space the size of the database',
    )
    .option('--data-dir <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .option('-d, --data <dir>', 'the same as --data-dir, as the other commands spell it')
    .action((flags: { dataDir?: string; data?: string }, cmd: Command) => {
      const dataDir = flags.dataDir ?? flags.data ?? process.env.QP_DATA_DIR ?? './data';
      try {
        const r = vacuumDatabaseFile(dataDir, {
          onStart: (file, space) =>
            process.stderr.write(
              `vacuuming ${file} (${formatBytes(space.dataDir.freeBytes)} free under ${space.dataDir.path}); this rewrites the whole file and can take a few minutes for a large one\n`,
            ),
        });
        const lost = Object.keys(r.rowsBefore).filter((t) => r.rowsAfter[t] !== r.rowsBefore[t]);
        if (lost.length > 0) cmd.error(`error: row counts changed in ${lost.join(', ')}; restore the backup`, { exitCode: 2, code: 'quarkpulse.vacuumRows' });
        const mode = r.modeBefore === r.modeAfter ? `auto_vacuum: ${r.modeAfter}, unchanged` : `auto_vacuum: ${r.modeBefore} → ${r.modeAfter}`;
        write(cmd, `${r.file}: ${formatBytes(r.beforeBytes)} → ${formatBytes(r.afterBytes)} (${mode}) in ${r.seconds.toFixed(1)} s\n`);
      } catch (err) {
        if (err instanceof VacuumRefused) cmd.error(`error: ${err.message}; nothing changed`, { exitCode: 1, code: 'quarkpulse.vacuumRefused' });
        throw err;
      }
    });
}
