/** CLI glue for `quarkpulse server`. */
import type { Command } from 'commander';
import { pino } from 'pino';
import { resolveServerSettings } from './config.js';
import { createServer, type QuarkpulseServer } from './index.js';

/** Prints the first-start admin password once, where a human will see it. */
export function announceSetup(setupUrl: string | undefined): void {
  if (!setupUrl) return;
  process.stderr.write(
    `\n  First start: open this address in your browser to choose the admin password, the public URL\n  and the e-mail server (the code in it works until setup is done; a restart makes a new one):\n\n      ${setupUrl}\n\n  For a headless install set QP_ADMIN_PASSWORD (and QP_PUBLIC_URL) before the first start instead.\n\n`,
  );
}

/** Closes `server` (and anything else) on SIGINT/SIGTERM, then exits 0. */
export function closeOnSignals(close: () => Promise<void>, log: (msg: string) => void): void {
  let isClosing = false;
  const onSignal = (signal: string) => {
    if (isClosing) return;
    isClosing = true;
    log(`${signal} received, shutting down`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
}

/** Flags of `quarkpulse server`. */
export interface ServerFlags {
  port?: string;
  host?: string;
  data?: string;
  tlsCert?: string;
  tlsKey?: string;
  publicUrl?: string;
}

/** Starts a server from settings and prints where it is. */
export async function startServerFromSettings(flags: ServerFlags): Promise<{ server: QuarkpulseServer; port: number }> {
  const settings = resolveServerSettings(flags, process.env);
  const logger = pino({ name: 'quarkpulse-server', level: settings.logLevel });
  const server = await createServer({
    dataDir: settings.dataDir,
    logger,
    adminPassword: settings.adminPassword,
    publicUrl: settings.publicUrl,
    tls: settings.tls,
    metricsToken: settings.metricsToken,
    jobSigningKeyFile: settings.jobSigningKeyFile,
    retention: settings.retention,
    secretKeyFile: settings.secretKeyFile,
    branding: { mspName: settings.mspName, logoFile: settings.mspLogo },
    chromiumPath: settings.chromiumPath,
    recordRetention: settings.recordRetention,
    signingKeyFile: settings.signingKeyFile,
    agentArtifactDirs: settings.agentArtifactDirs,
    heartbeat: settings.heartbeatUrl ? { url: settings.heartbeatUrl, intervalMs: settings.heartbeatIntervalS * 1000 } : undefined,
    selfChecks: {
      backupDir: settings.backupDir,
      limits: {
        backupMaxAgeMs: settings.backupMaxAgeDays * 86_400_000,
        databaseMaxBytes: settings.databaseMaxGb * 1e9,
        diskMinFreePct: settings.diskMinFreePct,
      },
    },
  });
  const port = await server.listen(settings.port, settings.host);
  logger.info({ port, dataDir: settings.dataDir, isTls: settings.tls !== undefined }, 'server listening');
  announceSetup(server.setupUrl());
  return { server, port };
}

/** Registers `server` on the top-level program. */
export function registerServerCommands(program: Command): void {
  program
    .command('server')
    .description('run the Quarkpulse server (REST API, agent gateway, dashboard)')
    .option('-p, --port <port>', 'port to listen on (env QP_PORT, default 8080)')
    .option('--host <host>', 'address to bind (env QP_HOST, default 0.0.0.0)')
    .option('-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)')
    .option('--tls-cert <file>', 'PEM certificate (chain) to serve HTTPS and wss:// (env QP_TLS_CERT; needs --tls-key)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert (env QP_TLS_KEY)')
    .option(
      '--public-url <url>',
      'where people reach the server, for links in notifications and install commands (env QP_PUBLIC_URL; else the one chosen at setup)',
    )
    .action(async (flags: ServerFlags) => {
      const { server, port } = await startServerFromSettings(flags);
      process.stderr.write(`Quarkpulse server on ${server.url().startsWith('https') ? 'https' : 'http'}://localhost:${port}\n`);
      closeOnSignals(
        () => server.close(),
        (m) => process.stderr.write(`${m}\n`),
      );
    });
}
