#!/usr/bin/env node
/**
 * The `quarkpulse` command: one program, subcommands per part.
 *   start            server + local agent (what `npm start` runs)
 *   server           the server alone
 *   agent enroll|run the agent on a monitored machine
 *   client add|list  clients and contracts, for scripted setups
 *   user reset-password|disable-2fa   getting back in, on the server machine
 *   secrets rotate-key                a new key for the secrets sealed in the database
 *   db vacuum        one-time rebuild of an older installation's database file (server stopped)
 */
import { Command } from 'commander';
import { registerAgentCommands } from '../agent/cli.js';
import { registerServerCommands } from '../server/cli.js';
import { registerClientCommands } from '../server/client-cli.js';
import { registerAgentUpdateCommands } from '../server/agent-update-cli.js';
import { registerUserCommands } from '../server/user-cli.js';
import { registerSecretsCommands } from '../server/secrets-cli.js';
import { registerDbCommands } from '../server/db-cli.js';
import { VERSION } from '../server/lib/version.js';
import { startLocalStack } from './local-stack.js';

const program = new Command()
  .name('quarkpulse')
  .description('Quarkpulse Monitor: contract-aware monitoring for managed IT services')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)');

program
  .command('start')
  .description('run the server with an embedded SQLite database plus a local agent for this machine')
  .option('-p, --port <port>', 'port to listen on (env QP_PORT, default 8080)')
  .option('-d, --data <dir>', 'data directory (env QP_DATA_DIR, default ./data)')
  .option('--no-agent', 'do not start the local agent')
  .option('--public-url <url>', 'where people reach the server, for links in notifications (env QP_PUBLIC_URL; else the one chosen at setup)')
  .action(async (flags: { port?: string; data?: string; agent?: boolean; publicUrl?: string }) => {
    await startLocalStack(flags);
  });
registerServerCommands(program);
registerClientCommands(program);
registerAgentUpdateCommands(program);
registerAgentCommands(program);
registerUserCommands(program);
registerSecretsCommands(program);
registerDbCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`quarkpulse: ${(err as Error).message}\n`);
  process.exit(1);
});
