/**
 * `quarkpulse start` (what `npm start` runs): the server with its embedded SQLite database plus a
 * local agent enrolled under a client named "Local", so a newcomer sees their own machine live
 * in the dashboard within seconds. The agent enrolls over HTTP like any other agent would; its
 * config lives in <data dir>/local-agent/agent.json.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { createAgent, type Agent } from '../agent/index.js';
import { loadAgentConfig, saveAgentConfig } from '../agent/config.js';
import { enrollDevice } from '../agent/enroll.js';
import { collectSystemFacts, readHostname, readMachineId } from '../agent/facts.js';
import { generateToken } from '../server/lib/secrets.js';
import { resolveServerSettings } from '../server/config.js';
import { announceSetup, closeOnSignals } from '../server/cli.js';
import { createServer, type QuarkpulseServer } from '../server/index.js';

/** The client the local agent is enrolled under. */
export const LOCAL_CLIENT_NAME = 'Local';

/** Enrolls (once) and starts the local agent against a running server. */
export async function startLocalAgent(server: QuarkpulseServer, port: number, dataDir: string, logLevel: string): Promise<Agent> {
  const { clients, now } = server.ctx;
  const configPath = path.join(dataDir, 'local-agent', 'agent.json');
  const serverUrl = `http://127.0.0.1:${port}`;
  if (!existsSync(configPath)) {
    const client = clients.findByName(LOCAL_CLIENT_NAME) ?? clients.create({ name: LOCAL_CLIENT_NAME, contract: 'monthly' }, now());
    // A short-lived token used once, right here.
    const token = generateToken('qpe');
    clients.addEnrollmentToken(client.id, token, { label: 'local agent (npm start)', expiresAtMs: now() + 10 * 60_000 }, now());
    const enrolled = await enrollDevice({
      serverUrl,
      token,
      hostname: readHostname(),
      machineId: await readMachineId(),
      facts: await collectSystemFacts(),
    });
    saveAgentConfig(configPath, { serverUrl, deviceId: enrolled.deviceId, deviceToken: enrolled.deviceToken });
  }
  // The port may differ from the last run; the credential does not.
  const config = { ...loadAgentConfig(configPath), serverUrl };
  const agent = createAgent({ config, configPath, logger: pino({ name: 'quarkpulse-agent', level: logLevel }) });
  await agent.start();
  return agent;
}

/** Runs server + local agent until SIGINT/SIGTERM. */
export async function startLocalStack(flags: { port?: string; data?: string; agent?: boolean; publicUrl?: string }): Promise<void> {
  const settings = resolveServerSettings(flags, process.env);
  if (settings.tls)
    process.stderr.write('  Note: `quarkpulse start` serves plain HTTP for trying things out; QP_TLS_CERT/QP_TLS_KEY apply to `quarkpulse server`.\n');
  const logger = pino({ name: 'quarkpulse-server', level: settings.logLevel });
  const server = await createServer({
    dataDir: settings.dataDir,
    logger,
    adminPassword: settings.adminPassword,
    publicUrl: settings.publicUrl,
    secretKeyFile: settings.secretKeyFile,
  });
  const port = await server.listen(settings.port, settings.host);
  const agent =
    flags.agent === false ? undefined : await startLocalAgent(server, port, settings.dataDir, settings.logLevel === 'info' ? 'warn' : settings.logLevel);
  process.stderr.write(`\n  Quarkpulse Monitor is running: http://localhost:${port}\n`);
  if (agent) process.stderr.write(`  A local agent reports this machine under the client "${LOCAL_CLIENT_NAME}".\n`);
  const setupUrl = server.setupUrl()?.replace(/^http:\/\/127\.0\.0\.1:/, 'http://localhost:');
  if (!setupUrl) process.stderr.write('  Log in as admin.\n');
  announceSetup(setupUrl);
  closeOnSignals(
    async () => {
      await agent?.stop();
      await server.close();
    },
    (m) => process.stderr.write(`${m}\n`),
  );
}
