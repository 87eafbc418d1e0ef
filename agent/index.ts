/**
 * The agent: collectors → report → spool → connection. Every interval the runner collects, the
 * report is written to the on-disk spool first and only then sent, so an ack-less crash or an
 * outage loses nothing the spool can hold; the connection replays the spool after reconnecting.
 * Inventory sections (services, printers, disks, …) are latest-state: sent after each welcome and
 * whenever one changes, never spooled. Settings pushed by the server (interval, watched services,
 * collector switches) apply live and are remembered in the state dir for an offline restart.
 */
import type { Logger } from 'pino';
import { INVENTORY_SECTIONS, PROTOCOL_VERSION } from '../shared/protocol-constants.js';
import type { AgentConfig, InventorySections, Welcome } from '../shared/protocol.js';
import { buildReport } from './build-report.js';
import { createCollectionRunner, type CollectionRunner } from './collect.js';
import { defaultCollectors, type Collector } from './collectors/index.js';
import { restoreAgentConfigToken, updateAgentConfigToken, type AgentFileConfig } from './config.js';
import { createConnection, type Connection, type ConnectionOptions, type ConnectionState } from './connection.js';
import { collectSystemFacts, readHostname } from './facts.js';
import { loadServerSettings, saveServerSettings } from './server-settings.js';
import { loadSi } from './si.js';
import { openSpool, type Spool } from './spool.js';
import { createProbeRunner, type ProbeRunner, type ProbeRunnerOptions } from './probe/runner.js';
import { createDiscoveryRunner, type DiscoveryRunner, type DiscoveryRunnerOptions } from './probe/discovery.js';
import { AGENT_VERSION } from './version.js';
import { createWatcher, type Watcher, type WatchStats } from './watch.js';
import { JOB_SIGNING_KEY_PATTERN, isSigningPublicKey, pinJobSigningKey, pinSigningPublicKey } from './config.js';
import { isEndorsedBy, jobKeyFormOf } from './jobs/job-signature.js';
import { openJobJournal, type JobJournal } from './jobs/job-journal.js';
import { createJobRunner, type JobRunner } from './jobs/job-runner.js';
import { defaultTasks } from './tasks/index.js';
import type { Task } from './tasks/types.js';
import path from 'node:path';
import { agentPlatform, createUpdater, type Updater, type UpdaterOptions } from './self-update.js';

/** Wall clock source (ms since epoch); tests pass a fixed one. */
export interface Clock {
  now(): number;
}

/** Inputs of createAgent; everything but config and logger has a production default. */
export interface AgentOptions {
  readonly config: AgentFileConfig;
  readonly logger: Logger;
  /** The config file the credential came from; a rotated credential is written back to it. */
  readonly configPath?: string;
  /** Collectors; given the live collector settings (watched services). Default: every built-in. */
  readonly collectors?: readonly Collector[] | ((settings: { watchedServices: () => readonly string[] }) => readonly Collector[]);
  readonly clock?: Clock;
  /** Spool bound (reports). */
  readonly spoolMaxReports?: number;
  /** Connection tuning (backoff, liveness, in-flight cap). */
  readonly connection?: Pick<ConnectionOptions, 'backoff' | 'livenessTimeoutMs' | 'maxInFlight' | 'stableAfterMs' | 'reconnectSpreadMs'>;
  /** How long stop() waits for outstanding acks, ms. Default 3 s. */
  readonly flushTimeoutMs?: number;
  /** Platform (for Windows' persistent PowerShell); default process.platform. */
  readonly platform?: NodeJS.Platform;
  /** Site probe tuning (concurrency, check options); the targets come from the server. */
  readonly probe?: Pick<ProbeRunnerOptions, 'maxConcurrent' | 'checkOptions' | 'run'>;
  /** Site probe discovery: tests inject the per-address query and the progress interval. */
  readonly discovery?: Pick<DiscoveryRunnerOptions, 'query' | 'progressEveryMs'>;
  /** Maintenance task catalogue; default every built-in task (agent/tasks/). */
  readonly tasks?: readonly Task[];
  /** Self-update (agent/self-update.ts); absent: the agent never replaces itself (in-process uses, tests). */
  readonly selfUpdate?: Pick<UpdaterOptions, 'executable' | 'onStaged' | 'isTrial' | 'retryAfterMs' | 'platform' | 'jitterMs'>;
}

/** A running agent. */
export interface Agent {
  start(): Promise<void>;
  /** Finishes the running cycle, waits briefly for acks, closes the socket with 1000. */
  stop(): Promise<void>;
  /** Connection state ('idle' before start, 'stopped' after stop). */
  readonly state: ConnectionState;
  /** The settings in force (interval, watched services, switches). */
  readonly settings: AgentConfig;
  /** The watch between reports (config.watch): thresholds, rounds, early reports. */
  readonly watch: WatchStats;
}

/** Wires collectors, spool and connection; nothing runs until start(). */
export function createAgent(opts: AgentOptions): Agent {
  const { config, logger } = opts;
  const clock = opts.clock ?? { now: () => Date.now() };
  const platform = opts.platform ?? process.platform;
  let settings: AgentConfig = { intervalMs: config.intervalMs };
  let spool: Spool | undefined;
  let runner: CollectionRunner | undefined;
  let connection: Connection | undefined;
  let timer: NodeJS.Timeout | undefined;
  let cycle: Promise<void> | undefined;
  let stopped = false;
  // Latest inventory per section (as collected) and what the server was last sent, as JSON.
  const inventory: InventorySections = {};
  let inventoryTsMs = 0;
  let sentInventory = new Map<string, string>();
  let probe: ProbeRunner | undefined;
  let discovery: DiscoveryRunner | undefined;
  let journal: JobJournal | undefined;
  let jobs: JobRunner | undefined;
  let pinnedKey = config.jobSigningKey;
  // The server's one key, pinned at enrollment (or endorsed by the pinned job key): it checks executables and jobs.
  let signingPublicKey = config.signingPublicKey;
  let updater: Updater | undefined;
  let watcher: Watcher | undefined;
  let isKeyMismatchLogged = false;

  // Trust on first use for agents enrolled before the server had a key; a pinned key is never
  // replaced from the network (docs/MAINTENANCE.md: rotation).
  function considerWelcomeKey(key: string | undefined, endorsement: Welcome['signingKeyEndorsement']): void {
    if (signingPublicKey !== undefined) return; // jobs are checked with the one key; the job key does not matter
    if (endorsement && pinnedKey !== undefined) return considerEndorsement(pinnedKey, endorsement);
    if (key === undefined || key === pinnedKey) return;
    if (pinnedKey !== undefined) {
      if (!isKeyMismatchLogged)
        logger.error(
          { pinned: pinnedKey, offered: key },
          'the server offers another job-signing key than the pinned one; jobs signed by it are refused (re-pin on this machine if the key was rotated)',
        );
      isKeyMismatchLogged = true;
      return;
    }
    if (!JOB_SIGNING_KEY_PATTERN.test(key)) {
      logger.warn('the server offered a job-signing key in an unknown form; not pinned');
      return;
    }
    try {
      if (opts.configPath) pinJobSigningKey(opts.configPath, key);
      pinnedKey = key;
      logger.info({ jobSigningKey: key, isPersisted: opts.configPath !== undefined }, "pinned the server's job-signing key");
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'could not pin the job-signing key; jobs are refused until it is pinned');
    }
  }

  // An agent that pinned only the job key (enrolled before the server had one key) takes the one
  // key when the pinned job key signed it: trust moves only along a signature by what it trusts.
  function considerEndorsement(jobKey: string, e: NonNullable<Welcome['signingKeyEndorsement']>): void {
    if (!isSigningPublicKey(e.publicKey) || !isEndorsedBy(jobKey, e.publicKey, e.signature)) {
      if (!isKeyMismatchLogged) logger.error({ offered: e.publicKey }, "the server's signing key is not signed by the pinned job-signing key; not pinned");
      isKeyMismatchLogged = true;
      return;
    }
    try {
      if (opts.configPath) pinSigningPublicKey(opts.configPath, e.publicKey);
      signingPublicKey = e.publicKey;
      logger.info(
        { signingPublicKey: e.publicKey, isPersisted: opts.configPath !== undefined },
        "pinned the server's signing key, signed by the pinned job-signing key",
      );
    } catch (err) {
      logger.error({ err: (err as Error).message }, 'could not pin the signing key');
    }
  }

  async function runCycle(): Promise<void> {
    const tsMs = clock.now();
    const { samples, inventory: sections } = await runner!.collectOnce();
    // Since install; the rules engine alerts when it grows (reports were lost to a long outage).
    samples.push({ name: 'agent.droppedReports', value: spool!.droppedCount });
    const report = buildReport(spool!.allocateSeq(), tsMs, samples, logger);
    spool!.append(report);
    connection!.sendPending();
    watcher?.noteReported(report.metrics);
    if (Object.keys(sections).length > 0) {
      Object.assign(inventory, sections);
      inventoryTsMs = tsMs;
      sendInventory();
    }
  }

  // Sends the sections that differ from what this connection already told the server.
  function sendInventory(): void {
    const changed: InventorySections = {};
    const texts = new Map<string, string>();
    for (const section of INVENTORY_SECTIONS) {
      const data = inventory[section];
      if (data === undefined) continue;
      const text = JSON.stringify(data);
      if (sentInventory.get(section) === text) continue;
      (changed as Record<string, unknown>)[section] = data;
      texts.set(section, text);
    }
    if (texts.size === 0) return;
    if (connection!.send({ type: 'inventory', v: PROTOCOL_VERSION, tsMs: Math.round(inventoryTsMs), sections: changed })) {
      for (const [section, text] of texts) sentInventory.set(section, text);
    }
  }

  // Next cycle one interval after this one started, so slow collectors do not drift the schedule.
  function schedule(delayMs: number): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const startedAt = performance.now();
      cycle = runCycle()
        .catch((err: Error) => logger.error({ err: err.message }, 'collection cycle failed'))
        .finally(() => {
          cycle = undefined;
          if (!stopped) schedule(Math.max(0, settings.intervalMs - (performance.now() - startedAt)));
        });
    }, delayMs);
  }

  function applyConfig(next: AgentConfig): void {
    const previous = settings;
    settings = {
      intervalMs: next.intervalMs,
      // Absent means "unchanged", so an older server's config frames do not wipe the list.
      watchedServices: next.watchedServices ?? previous.watchedServices,
      collectors: next.collectors ?? previous.collectors,
      // Probe targets are always sent in full: absent means this agent probes nothing.
      ...(next.probe ? { probe: next.probe } : {}),
    };
    probe?.setTargets(settings.probe?.targets ?? []);
    // Not remembered with the settings: only a live server decides that an update is wanted.
    updater?.onConfig(next.update?.version);
    // Always the complete list; not remembered: only a connected server's rules are worth watching.
    watcher?.apply(next.watch);
    discovery?.setScans(settings.probe?.scans ?? []);
    if (JSON.stringify(settings) !== JSON.stringify(previous)) {
      logger.info(
        { intervalMs: settings.intervalMs, watchedServices: settings.watchedServices, collectors: settings.collectors },
        'applied settings from the server',
      );
      saveServerSettings(config.stateDir, settings, logger);
    }
    runner?.setSwitches(settings.collectors ?? {});
    if (settings.intervalMs !== previous.intervalMs) {
      logger.info({ intervalMs: settings.intervalMs, previousMs: previous.intervalMs }, 'server changed the collection interval');
      if (!cycle && !stopped) schedule(settings.intervalMs);
    }
  }

  function resolveCollectors(): readonly Collector[] {
    const live = { watchedServices: () => settings.watchedServices ?? [] };
    if (typeof opts.collectors === 'function') return opts.collectors(live);
    return opts.collectors ?? defaultCollectors(live);
  }

  return {
    get state() {
      return stopped ? 'stopped' : (connection?.state ?? 'idle');
    },
    get settings() {
      return settings;
    },
    get watch() {
      return watcher?.stats ?? { thresholds: 0, ticks: 0, earlyReports: 0, heldBack: 0 };
    },
    async start() {
      if (spool) throw new Error('agent already started');
      spool = openSpool({ dir: config.stateDir, logger, ...(opts.spoolMaxReports ? { maxReports: opts.spoolMaxReports } : {}) });
      const remembered = loadServerSettings(config.stateDir, logger);
      if (remembered) settings = remembered;
      // systeminformation's persistent PowerShell: one process for every Windows query instead of
      // one powershell.exe start (a CPU spike) per call.
      if (platform === 'win32') (await loadSi()).powerShellStart();
      const timeoutMs = Math.min(5_000, Math.max(1_000, Math.floor(settings.intervalMs / 2)));
      runner = await createCollectionRunner({ collectors: resolveCollectors(), logger, timeoutMs, switches: settings.collectors ?? {} });
      const facts = await collectSystemFacts();
      if (stopped) return; // stop() during start: do not connect
      const hostname = readHostname();
      journal = openJobJournal({ dir: config.stateDir, logger, nowMs: () => clock.now() });
      jobs = createJobRunner({
        deviceId: config.deviceId,
        journal,
        tasks: opts.tasks ?? (await defaultTasks(platform)),
        pinnedKey: () => (signingPublicKey !== undefined ? jobKeyFormOf(signingPublicKey) : pinnedKey),
        tasksFile: config.tasksFile ?? path.join(config.stateDir, 'tasks.json'),
        logger,
        nowMs: () => clock.now(),
        send: (status) => connection?.send(status) ?? false,
      });
      if (opts.selfUpdate) {
        updater = createUpdater({
          ...opts.selfUpdate,
          serverUrl: config.serverUrl,
          caFile: config.caFile,
          stateDir: config.stateDir,
          pinnedKey: () => signingPublicKey,
          agentVersion: AGENT_VERSION,
          logger,
          now: () => clock.now(),
          send: (status) => connection?.send(status) ?? false,
        });
      }
      const activeRunner = runner;
      watcher = createWatcher({
        logger,
        read: (metrics) => activeRunner.watchOnce(metrics, 900),
        isActive: () => connection?.state === 'ready',
        // An early report is an ordinary one: next seq, spooled first, acknowledged.
        report: (samples) => {
          if (stopped || !spool) return;
          const report = buildReport(spool.allocateSeq(), clock.now(), samples, logger);
          spool.append(report);
          connection?.sendPending();
        },
      });
      connection = createConnection({
        serverUrl: config.serverUrl,
        deviceToken: config.deviceToken,
        caFile: config.caFile,
        spool,
        logger,
        // The interval of the config file: the server's fallback when it manages none itself.
        hello: () => ({ agentVersion: AGENT_VERSION, hostname, intervalMs: config.intervalMs, facts }),
        identity: { deviceId: config.deviceId, hostname, platform: agentPlatform(platform) },
        onConfig: applyConfig,
        onJob: (frame) => jobs!.onJob(frame as unknown as Record<string, unknown>),
        onJobAck: (ack) => jobs!.onAck(ack.jobId, ack.state),
        previousDeviceTokens: config.previousDeviceTokens ?? [],
        ...(opts.configPath
          ? {
              onCredential: (token: string) => updateAgentConfigToken(opts.configPath!, token),
              onCredentialRestored: (token: string) => restoreAgentConfigToken(opts.configPath!, token),
            }
          : {}),
        ...opts.connection,
      });
      // Site probe: one report per probed device, spooled and sent like the agent's own.
      probe = createProbeRunner({
        logger,
        now: () => clock.now(),
        ...opts.probe,
        onReport: (targetDeviceId, tsMs, samples, checks) => {
          if (stopped || !spool) return;
          const report = { ...buildReport(spool.allocateSeq(), tsMs, samples, logger), targetDeviceId, checks };
          spool.append(report);
          connection?.sendPending();
        },
      });
      probe.setTargets(settings.probe?.targets ?? []);
      // Discovery scans: frames go out at once when connected (latest-state, not spooled).
      discovery = createDiscoveryRunner({ logger, send: (frame) => connection?.send(frame) ?? false, ...opts.discovery });
      discovery.setScans(settings.probe?.scans ?? []);
      connection.on('welcome', (welcome) => {
        discovery?.resend();
        considerWelcomeKey(welcome.jobSigningKey, welcome.signingKeyEndorsement);
        updater?.onWelcome();
        // A new connection knows nothing yet: send every section.
        sentInventory = new Map();
        sendInventory();
        jobs?.resendUnacked();
      });
      logger.info({ collectors: runner.activeCollectors, streamId: spool.streamId, intervalMs: settings.intervalMs }, 'agent starting');
      connection.start();
      schedule(0);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      watcher?.stop();
      updater?.stop();
      probe?.stop();
      discovery?.stop();
      await cycle; // the report being collected still reaches the spool
      await jobs?.stop();
      await connection?.drain(opts.flushTimeoutMs ?? 3_000);
      await connection?.stop();
      spool?.close();
      journal?.close();
      if (platform === 'win32') (await loadSi()).powerShellRelease();
      logger.info({ pending: spool?.pending().length ?? 0 }, 'agent stopped');
    },
  };
}
