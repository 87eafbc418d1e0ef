#!/usr/bin/env node
/**
 * Entry of the single-file agent bundle (`npm run build:agent` → dist/agent/quarkpulse-agent.mjs):
 * only the agent commands, so the bundle carries neither the server nor the dashboard.
 *   node quarkpulse-agent.mjs agent enroll --server URL --token T [--config FILE] [--ca FILE]
 *   node quarkpulse-agent.mjs agent run [--config FILE]
 */
import { Command } from 'commander';
import { registerAgentCommands } from './cli.js';
import { AGENT_VERSION } from './version.js';

const program = new Command()
  .name('quarkpulse-agent')
  .description('Quarkpulse Monitor agent: collects health metrics on this machine and streams them to the server')
  .version(AGENT_VERSION)
  .showHelpAfterError('(run with --help for usage)');
registerAgentCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`quarkpulse-agent: ${(err as Error).message}\n`);
  process.exit(1);
});
