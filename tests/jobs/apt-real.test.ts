/**
 * Real apt/dpkg, as root: a local repository built in the test (dpkg-deb, dpkg-scanpackages, a
 * file: source with trusted=yes) serving version 1.0 then 2.0 of a tiny package. apt reads only
 * this repository (APT_CONFIG pointing at a temp config with its own SourceList, SourceParts and
 * lists dir), so the machine's own sources are untouched; dpkg installs for real and the package
 * is removed afterwards. The jobs travel the whole way: signed frame → agent checks → task →
 * maintenance helper (scripts/install/linux) → apt.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../agent/index.js';
import { createHealthCheckTask } from '../../agent/tasks/health-check.js';
import { createUpdatesInstallTask, createUpdatesScanTask } from '../../agent/tasks/update-tasks.js';
import type { Privilege } from '../../agent/tasks/run-command.js';
import { loadOrCreateJobSigner, newJobNonce, type JobSigner } from '../../server/jobs/job-signing.js';
import type { JobStatus } from '../../shared/jobs.js';
import { ProtocolServer, waitFor } from '../agent/helpers/protocol-server.js';
import { ApiClient, enrollTestDevice, startTestServer } from '../helpers/test-server.js';
import { manualClock } from '../helpers/receivers.js';
import { generate } from 'otplib';
import { createTestLogger } from '../agent/helpers/test-logger.js';

const PKG = 'qp-maint-test';
const HELPER = path.resolve('scripts/install/linux/quarkpulse-maint-helper');
const isRoot = process.getuid?.() === 0;
const hasTools = ['dpkg-deb', 'dpkg-scanpackages', 'apt-get'].every((t) => {
  try {
    execFileSync('sh', ['-c', `command -v ${t}`]);
    return true;
  } catch {
    return false;
  }
});

let dir: string;
let repo: string;
let aptConfig: string;
let server: ProtocolServer;
let signer: JobSigner;
let agent: Agent;

function buildDeb(version: string): string {
  const root = path.join(dir, `build-${version}`);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr/share/doc', PKG), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'DEBIAN/control'),
    `Package: ${PKG}\nVersion: ${version}\nArchitecture: all\nMaintainer: Quarkpulse tests <tests@localhost>\nDescription: test package for maintenance jobs\n`,
  );
  fs.writeFileSync(path.join(root, 'usr/share/doc', PKG, 'VERSION'), `${version}\n`);
  const deb = path.join(repo, `${PKG}_${version}_all.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '--build', root, deb], { stdio: 'pipe' });
  return deb;
}

function indexRepo(): void {
  const packages = execFileSync('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  fs.writeFileSync(path.join(repo, 'Packages'), packages);
}

const installedVersion = (): string | undefined => {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Status} ${Version}', PKG], { encoding: 'utf8' }).replace(/^install ok installed /, '');
  } catch {
    return undefined;
  }
};

const statusesOf = (jobId: string) => server.others.filter((m): m is JobStatus => m.type === 'jobStatus' && m.jobId === jobId);
async function run(task: string, params: Record<string, unknown>): Promise<JobStatus> {
  const now = Date.now();
  const jobId = `job_${task.replace('.', '_')}_${Math.random().toString(36).slice(2, 8)}`;
  server.sendToAll(signer.signJob({ jobId, deviceId: 'dev-1', task, params, notBeforeMs: now - 1_000, notAfterMs: now + 3_600_000, nonce: newJobNonce() }));
  await waitFor(`${task} finished`, () => statusesOf(jobId).some((s) => s.state !== 'running'), 120_000);
  return statusesOf(jobId).find((s) => s.state !== 'running')!;
}

// In CI (root, .ci/run installs dpkg-dev) a missing tool is a failure, not a skip.
if (process.env.CI === 'true' && !hasTools) throw new Error('CI=true but dpkg-deb, dpkg-scanpackages or apt-get is missing: .ci/run installs dpkg-dev');
describe.skipIf(!isRoot || !hasTools)('real apt: scan and install through signed jobs', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-apt-'));
    repo = path.join(dir, 'repo');
    for (const d of ['repo', 'lists/partial', 'archives/partial', 'parts']) fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sources.list'), `deb [trusted=yes] file:${repo} ./\n`);
    aptConfig = path.join(dir, 'apt.conf');
    fs.writeFileSync(
      aptConfig,
      [
        `Dir::Etc::SourceList "${dir}/sources.list";`,
        `Dir::Etc::SourceParts "${dir}/parts";`,
        `Dir::State::Lists "${dir}/lists";`,
        `Dir::Cache::Archives "${dir}/archives";`,
        'APT::Get::List-Cleanup "0";',
        '',
      ].join('\n'),
    );
    execFileSync('dpkg', ['-i', buildDeb('1.0')], { stdio: 'pipe' });
    buildDeb('2.0');
    indexRepo();
    server = await new ProtocolServer({ token: 'agent-token-0123456789' }).listen();
    signer = loadOrCreateJobSigner(path.join(dir, 'key.pem'));
    const privilege: Privilege = { helperPath: HELPER, isRoot: true, env: { APT_CONFIG: aptConfig } };
    agent = createAgent({
      config: {
        serverUrl: server.url(),
        deviceId: 'dev-1',
        deviceToken: 'agent-token-0123456789',
        intervalMs: 60_000,
        stateDir: path.join(dir, 'state'),
        jobSigningKey: signer.publicKey,
        tasksFile: path.join(dir, 'tasks.json'),
      },
      logger: createTestLogger().logger,
      collectors: [],
      tasks: [
        createHealthCheckTask('linux'),
        createUpdatesScanTask({ platform: 'linux', privilege, manager: 'apt' }),
        createUpdatesInstallTask({ platform: 'linux', privilege, manager: 'apt' }),
      ],
      connection: { backoff: { baseMs: 20, capMs: 200 } },
      flushTimeoutMs: 100,
    });
    await agent.start();
    await waitFor('agent ready', () => agent.state === 'ready');
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await server?.close();
    if (installedVersion() !== undefined) execFileSync('dpkg', ['-r', PKG], { stdio: 'pipe' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('updates.scan finds 2.0 for the installed 1.0, only from the test repository', async () => {
    expect(installedVersion()).toBe('1.0');
    const s = await run('updates.scan', {});
    expect(s).toMatchObject({ state: 'done', exitCode: 0 });
    expect(s.result).toMatchObject({
      source: 'apt',
      pendingCount: 1,
      securityCount: 0,
      updates: [{ name: PKG, fromVersion: '1.0', toVersion: '2.0', isSecurity: false }],
    });
  }, 120_000);

  it('updates.install with the dpkg lock held fails TASK_BUSY and changes nothing', async () => {
    // apt takes fcntl locks; python's lockf takes the same kind.
    const holder: ChildProcess = spawn(
      'python3',
      ['-c', "import fcntl,sys,time; f=open('/var/lib/dpkg/lock-frontend','w'); fcntl.lockf(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const s = await run('updates.install', { scope: 'list', packages: [PKG] });
      expect(s).toMatchObject({
        state: 'failed',
        code: 'TASK_BUSY',
        message: 'the package manager is busy (another process holds its lock); nothing was changed — retried per policy',
      });
      expect(s.output).toMatch(/Could not get lock|Unable to acquire the dpkg frontend lock/);
      expect(installedVersion()).toBe('1.0');
    } finally {
      holder.kill();
    }
  }, 120_000);

  it('updates.install (list) installs 2.0 with real apt/dpkg, and the scan afterwards is empty', async () => {
    const s = await run('updates.install', { scope: 'list', packages: [PKG] });
    expect(s).toMatchObject({ state: 'done', exitCode: 0 });
    expect(s.result).toMatchObject({ installed: [PKG], pendingCount: 0 });
    expect(s.output).toMatch(new RegExp(`Setting up ${PKG} \\(2\\.0\\)`));
    expect(s.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(installedVersion()).toBe('2.0');
    expect(fs.readFileSync(`/usr/share/doc/${PKG}/VERSION`, 'utf8')).toBe('2.0\n');
    const after = await run('updates.scan', {});
    expect(after.result).toMatchObject({ pendingCount: 0, updates: [] });
  }, 120_000);

  it('through the real server: a scan, an install and patch compliance that shows both', async () => {
    // Version 3.0 in the repository; 2.0 is installed by the test above.
    buildDeb('3.0');
    indexRepo();
    // Each second factor is accepted once: the server's clock moves a time step for every request.
    const clock = manualClock(Date.now());
    const t = await startTestServer({ clock });
    const realAgentDir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-apt-server-'));
    let realAgent: Agent | undefined;
    try {
      const api = new ApiClient(t.url);
      await api.login();
      const secret = (await api.post('/api/me/two-factor/start')).json.secret as string;
      expect((await api.post('/api/me/two-factor/confirm', { code: await generate({ secret, epoch: Math.floor(clock.now() / 1000) }) })).status).toBe(200);
      const code = () => {
        clock.advance(31_000);
        return generate({ secret, epoch: Math.floor(clock.now() / 1000) });
      };
      const dev = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01', machineId: 'jansen-srv01-apt' });
      const privilege: Privilege = { helperPath: HELPER, isRoot: true, env: { APT_CONFIG: aptConfig } };
      realAgent = createAgent({
        config: {
          serverUrl: t.url,
          deviceId: dev.deviceId,
          deviceToken: dev.deviceToken,
          intervalMs: 60_000,
          stateDir: path.join(realAgentDir, 'state'),
          tasksFile: path.join(realAgentDir, 'tasks.json'),
        },
        logger: createTestLogger().logger,
        collectors: [],
        tasks: [
          createUpdatesScanTask({ platform: 'linux', privilege, manager: 'apt' }),
          createUpdatesInstallTask({ platform: 'linux', privilege, manager: 'apt' }),
        ],
        connection: { backoff: { baseMs: 20, capMs: 200 } },
        flushTimeoutMs: 100,
      });
      await realAgent.start();
      await waitFor('the agent to connect', () => t.server.gateway.isConnected(dev.deviceId));
      const runJob = async (task: string, params: Record<string, unknown>) => {
        const r = await api.post('/api/jobs', { deviceIds: [dev.deviceId], task, params, notBeforeMs: Date.now() - 1_000, code: await code() });
        expect(r.status, r.text).toBe(201);
        const id = r.json[0].id as string;
        await waitFor(`${task} to finish`, () => ['done', 'failed', 'refused'].includes(t.server.ctx.jobs.get(id).state), 120_000);
        return t.server.ctx.jobs.get(id);
      };
      const compliance = async () =>
        ((await api.get(`/api/jobs/compliance?client=${dev.clientId}`)).json as { devices: Record<string, unknown>[] }).devices[0]!;

      expect((await runJob('updates.scan', {})).state).toBe('done');
      expect(await compliance()).toMatchObject({ pendingUpdates: 1, securityUpdates: 0, lastInstallState: null, status: 'ok' });
      const install = await runJob('updates.install', { scope: 'list', packages: [PKG] });
      expect(install).toMatchObject({ state: 'done', exitCode: 0 });
      expect(installedVersion()).toBe('3.0');
      expect((await runJob('updates.scan', {})).state).toBe('done');
      expect(await compliance()).toMatchObject({
        pendingUpdates: 0,
        lastInstallState: 'done',
        lastInstallOkAtMs: expect.any(Number),
        failedJobs30d: 0,
        status: 'ok',
      });
    } finally {
      await realAgent?.stop();
      await t.close();
      fs.rmSync(realAgentDir, { recursive: true, force: true });
    }
  }, 180_000);
});
