/** `quarkpulse client add|list` through a real commander program on a temp data dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerClientCommands } from '../../server/client-cli.js';
import { openDatabase } from '../../server/store/database.js';
import { createClientStore } from '../../server/store/clients.js';
import { createAuditLog } from '../../server/audit/audit-log.js';

describe('client CLI', () => {
  let dir: string;
  let out: string;
  let err: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<void> {
    out = '';
    err = '';
    const program = new Command('quarkpulse');
    program.exitOverride();
    program.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    registerClientCommands(program);
    await program.parseAsync(args, { from: 'user' });
  }

  it('adds clients with their contract terms and lists them', async () => {
    await run(
      'client',
      'add',
      '--name',
      'Jansen Accountants',
      '--contract',
      'monthly',
      '--monthly-fee',
      '450',
      '--timezone',
      'Europe/Amsterdam',
      '--data',
      dir,
    );
    expect(out).toMatch(/^added client "Jansen Accountants" \(monthly\) with id \S+\n$/);
    await run(
      'client',
      'add',
      '--name',
      'Bakkerij de Vries',
      '--contract',
      'break-fix',
      '--hourly-rate',
      '85.5',
      '--contact',
      'piet@devries.nl',
      '--data',
      dir,
      '--json',
    );
    expect(JSON.parse(out)).toMatchObject({
      name: 'Bakkerij de Vries',
      contract: 'break-fix',
      hourlyRate: 85.5,
      monthlyFee: 0,
      currency: 'EUR',
      timezone: 'UTC',
      contact: 'piet@devries.nl',
    });

    await run('client', 'list', '--data', dir);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CONTRACT\s+MONTHLY FEE\s+HOURLY RATE\s+TIMEZONE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1))).toEqual([
      ['Bakkerij de Vries', 'break-fix', 'EUR 0.00', 'EUR 85.50', 'UTC'],
      ['Jansen Accountants', 'monthly', 'EUR 450.00', 'EUR 0.00', 'Europe/Amsterdam'],
    ]);
    await run('client', 'list', '--data', dir, '--json');
    expect(JSON.parse(out).map((c: { name: string }) => c.name)).toEqual(['Bakkerij de Vries', 'Jansen Accountants']);

    // The same file the server uses.
    const db = openDatabase(dir);
    expect(createClientStore(db).findByName('Jansen Accountants')).toMatchObject({ monthlyFee: 450 });
    db.close();
  });

  const refusals: [string, string[], string][] = [
    ['an unknown contract', ['--name', 'X', '--contract', 'weekly'], 'error: --contract: contract must be "monthly" or "break-fix"\n'],
    [
      'a fee that is not a number',
      ['--name', 'X', '--contract', 'monthly', '--monthly-fee', 'lots'],
      'error: --monthly-fee: Invalid input: expected number, received NaN\n',
    ],
    ['a negative rate', ['--name', 'X', '--contract', 'break-fix', '--hourly-rate', '-5'], 'error: --hourly-rate: Too small: expected number to be >=0\n'],
    [
      'an unknown time zone',
      ['--name', 'X', '--contract', 'monthly', '--timezone', 'Mars/Olympus'],
      'error: --timezone: must be an IANA time zone such as Europe/Amsterdam\n',
    ],
    ['a missing contract', ['--name', 'X'], "error: required option '--contract <contract>' not specified\n"],
  ];
  it.each(refusals)('refuses %s and writes nothing', async (_name, args, message) => {
    const e = await run('client', 'add', ...args, '--data', dir).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommanderError);
    expect(err).toBe(message);
    await run('client', 'list', '--data', dir, '--json');
    expect(JSON.parse(out)).toEqual([]);
  });

  it('refuses a duplicate name', async () => {
    await run('client', 'add', '--name', 'Visser', '--contract', 'monthly', '--data', dir);
    const e = (await run('client', 'add', '--name', 'visser', '--contract', 'break-fix', '--data', dir).catch((x: unknown) => x)) as CommanderError;
    expect(e.exitCode).toBe(1);
    expect(err).toBe('error: a client named "visser" already exists\n');
  });

  it('audits a client added on the command line like one added over the API', async () => {
    await run('client', 'add', '--name', 'Smit Installatie', '--contract', 'monthly', '--monthly-fee', '300', '--data', dir, '--json');
    const created = JSON.parse(out) as { id: string };
    const db = openDatabase(dir);
    const [entry] = createAuditLog({ db, now: Date.now }).page({ limit: 10 }).entries;
    db.close();
    expect(entry).toMatchObject({
      actorId: null,
      actorName: 'command line on the server',
      action: 'client.create',
      entityType: 'client',
      entityId: created.id,
      summary: 'created client "Smit Installatie" (monthly)',
      detail: { contract: 'monthly', monthlyFee: 300 },
    });
  });

  it('has help for each subcommand', async () => {
    await run('client', 'add', '--help').catch(() => undefined);
    expect(out).toContain('--monthly-fee <amount>');
    expect(out).toContain('--data <dir>');
  });
});
