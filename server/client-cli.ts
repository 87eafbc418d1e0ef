/**
 * CLI glue for `quarkpulse client add|list`: scripted client setup straight on the SQLite file in
 * the data directory (works while the server runs: WAL plus a busy timeout). Input goes through
 * the same zod schema and the same client service as POST /api/clients, so both answer the same
 * mistakes the same way and both write the same audit entry (the CLI's as "command line on the server").
 */
import type { Command } from 'commander';
import { openDatabase } from './store/database.js';
import { createClientStore, type Client } from './store/clients.js';
import { createAgentSettingsStore } from './store/agent-settings.js';
import { createAuditLog } from './audit/audit-log.js';
import { clientInputSchema, createClientService } from './fleet/client-service.js';
import { HttpError } from './lib/errors.js';
import { CLI_ACTOR } from './accounts/user-service.js';
import { systemClock } from './time/clock.js';

interface AddFlags {
  name: string;
  contract: string;
  monthlyFee?: string;
  hourlyRate?: string;
  currency?: string;
  timezone?: string;
  contact?: string;
  data?: string;
  json?: boolean;
}

const FLAG_OF: Record<string, string> = {
  name: '--name',
  contract: '--contract',
  monthlyFee: '--monthly-fee',
  hourlyRate: '--hourly-rate',
  currency: '--currency',
  timezone: '--timezone',
  contact: '--contact',
};

/** The data directory: --data, else QP_DATA_DIR, else ./data (as for `quarkpulse server`). */
function dataDirOf(flags: { data?: string }): string {
  return flags.data ?? process.env.QP_DATA_DIR ?? './data';
}

function write(cmd: Command, text: string): void {
  const out = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
  out(text);
}

function toNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : text.trim() === '' ? Number.NaN : Number(text);
}

function formatTable(clients: Client[]): string {
  const rows = [
    ['ID', 'NAME', 'CONTRACT', 'MONTHLY FEE', 'HOURLY RATE', 'TIMEZONE'],
    ...clients.map((c) => [c.id, c.name, c.contract, `${c.currency} ${c.monthlyFee.toFixed(2)}`, `${c.currency} ${c.hourlyRate.toFixed(2)}`, c.timezone]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

/** Registers `client add` and `client list` on the top-level program. */
export function registerClientCommands(program: Command): void {
  const client = program.command('client').description("manage clients (the MSP's customers) and their contracts");

  client
    .command('add')
    .description('add a client with its contract terms')
    .requiredOption('--name <name>', 'client name (unique)')
    .requiredOption('--contract <contract>', 'contract model: monthly or break-fix')
    .option('--monthly-fee <amount>', 'fixed fee per month (monthly contract), default 0')
    .option('--hourly-rate <amount>', 'rate per hour of work (break-fix contract), default 0')
    .option('--currency <code>', 'ISO 4217 currency code, default EUR')
    .option('--timezone <zone>', 'IANA time zone for maintenance windows and billing dates, default UTC')
    .option('--contact <text>', 'contact person, phone or e-mail')
    .option('-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .option('--json', 'print the created client as JSON')
    .action((flags: AddFlags, cmd: Command) => {
      const parsed = clientInputSchema.safeParse({
        name: flags.name,
        contract: flags.contract,
        monthlyFee: toNumber(flags.monthlyFee),
        hourlyRate: toNumber(flags.hourlyRate),
        currency: flags.currency,
        timezone: flags.timezone,
        contact: flags.contact,
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const field = String(issue.path[0] ?? '');
        cmd.error(`error: ${FLAG_OF[field] ?? field}: ${issue.message}`, { exitCode: 2, code: 'quarkpulse.invalidArgument' });
        return;
      }
      const db = openDatabase(dataDirOf(flags));
      try {
        const service = createClientService({
          clients: createClientStore(db),
          settings: createAgentSettingsStore(db),
          audit: createAuditLog({ db, now: systemClock.now }),
          now: systemClock.now,
        });
        let c: Client;
        try {
          c = service.create(CLI_ACTOR, parsed.data);
        } catch (err) {
          if (!(err instanceof HttpError) || err.code !== 'CLIENT_EXISTS') throw err;
          cmd.error(`error: ${err.message}`, { exitCode: 1, code: 'quarkpulse.clientExists' });
          return;
        }
        write(cmd, flags.json ? `${JSON.stringify(c, null, 2)}\n` : `added client "${c.name}" (${c.contract}) with id ${c.id}\n`);
      } finally {
        db.close();
      }
    });

  client
    .command('list')
    .description('list clients and their contract terms')
    .option('-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .option('--json', 'print the clients as a JSON array')
    .action((flags: { data?: string; json?: boolean }, cmd: Command) => {
      const db = openDatabase(dataDirOf(flags));
      try {
        const clients = createClientStore(db).list();
        write(
          cmd,
          flags.json
            ? `${JSON.stringify(clients, null, 2)}\n`
            : clients.length === 0
              ? 'no clients yet; add one with `quarkpulse client add`\n'
              : formatTable(clients),
        );
      } finally {
        db.close();
      }
    });
}
