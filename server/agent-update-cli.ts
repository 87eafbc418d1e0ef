/**
 * CLI glue for `quarkpulse agent-updates list|set`: the agent update policies (docs/DEPLOYMENT.md
 * §6) straight on the SQLite file in the data directory, through the same schema and service as
 * PUT /api/agent-updates/policy, so the change is checked and audited the same way (as "command
 * line on the server"). A running server pushes it to each agent at its next connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { openDatabase } from './store/database.js';
import { createClientStore } from './store/clients.js';
import { createDeviceStore } from './store/devices.js';
import { createAgentUpdateStore } from './store/agent-updates.js';
import { createAuditLog } from './audit/audit-log.js';
import { createAgentUpdateService, updatePolicyInputSchema } from './fleet/agent-update-service.js';
import { HttpError } from './lib/errors.js';
import { CLI_ACTOR } from './accounts/user-service.js';
import { systemClock } from './time/clock.js';
import { VERSION } from './lib/version.js';

const dataDirOf = (flags: { data?: string }) => flags.data ?? process.env.QP_DATA_DIR ?? './data';

/** Versions in the build.json of each agent directory the server would serve (QP_AGENT_DIST_DIRS, else dist/agent/bin). */
function availableVersions(): string[] {
  const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const fallback = path.basename(packageRoot) === 'dist' ? path.join(packageRoot, 'agent', 'bin') : path.join(packageRoot, 'dist', 'agent', 'bin');
  const dirs = process.env.QP_AGENT_DIST_DIRS ? process.env.QP_AGENT_DIST_DIRS.split(':') : [fallback];
  const out: string[] = [];
  for (const dir of dirs) {
    try {
      const v = (JSON.parse(fs.readFileSync(path.join(dir, 'build.json'), 'utf8')) as { version?: unknown }).version;
      if (typeof v === 'string') out.push(v);
    } catch {
      // no build here
    }
  }
  return out;
}

function serviceOn(db: ReturnType<typeof openDatabase>) {
  return createAgentUpdateService({
    updates: createAgentUpdateStore(db, VERSION),
    clients: createClientStore(db),
    devices: createDeviceStore(db),
    audit: createAuditLog({ db, now: systemClock.now }),
    now: systemClock.now,
    availableVersions,
  });
}

export function registerAgentUpdateCommands(program: Command): void {
  const cmd = program.command('agent-updates').description('which agent version each device should run (self-update policies)');
  cmd
    .command('list')
    .description("each agent's version, the wanted one and its update state")
    .option('-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .option('--json', 'print the overview as JSON')
    .action((flags: { data?: string; json?: boolean }, c: Command) => {
      const db = openDatabase(dataDirOf(flags));
      try {
        const o = serviceOn(db).overview();
        const out = c.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
        if (flags.json) return out(`${JSON.stringify(o, null, 2)}\n`);
        const lines = [`server ${o.serverVersion}; executables: ${o.availableVersions.join(', ') || 'none'}`];
        for (const p of o.policies)
          lines.push(`policy ${p.scope}${p.scopeId ? ` ${p.scopeId}` : ''}: ${p.policy.mode === 'version' ? `version ${p.policy.version}` : p.policy.mode}`);
        for (const d of o.devices) {
          const why = d.state === 'failed' && d.lastReport ? ` (${d.lastReport.code}: ${d.lastReport.message})` : '';
          lines.push(`${d.hostname}  ${d.agentVersion ?? '-'} → ${d.wantedVersion ?? 'held'}  ${d.state}${why}`);
        }
        out(`${lines.join('\n')}\n`);
      } finally {
        db.close();
      }
    });
  cmd
    .command('set')
    .description('set the policy of the fleet, a client or a device (audited)')
    .requiredOption('--scope <scope>', 'fleet, client or device')
    .option('--id <id>', 'the client or device id (not for fleet)')
    .requiredOption('--mode <mode>', 'server (follow the server), version (pin --agent-version), hold, or inherit (remove)')
    .option('--agent-version <version>', 'with --mode version')
    .option('-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .action((flags: { scope: string; id?: string; mode: string; agentVersion?: string; data?: string }, c: Command) => {
      const parsed = updatePolicyInputSchema.safeParse({
        scope: flags.scope,
        mode: flags.mode,
        ...(flags.id !== undefined ? { id: flags.id } : {}),
        ...(flags.agentVersion !== undefined ? { version: flags.agentVersion } : {}),
      });
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return c.error(`error: ${issue.path.join('.') || 'flags'}: ${issue.message}`, { exitCode: 2, code: 'quarkpulse.invalidArgument' });
      }
      const db = openDatabase(dataDirOf(flags));
      try {
        serviceOn(db).setPolicy(CLI_ACTOR, parsed.data);
        const out = c.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
        out(
          `agent update policy of ${flags.scope}${flags.id ? ` ${flags.id}` : ''}: ${flags.mode}${flags.agentVersion ? ` ${flags.agentVersion}` : ''} (agents get it at their next connection)\n`,
        );
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        return c.error(`error: ${err.message}`, { exitCode: 1, code: 'quarkpulse.policyRefused' });
      } finally {
        db.close();
      }
    });
}
