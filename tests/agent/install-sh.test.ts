/**
 * GET /install.sh run as root the way the dashboard shows it (`curl -fsSL …/install.sh |
 * QP_TOKEN=… sh`), into a temp root (QP_INSTALL_ROOT) with a fake service manager
 * (QP_SERVICE_HOOK) that starts the installed executable as `nobody`: it installs, enrolls and
 * starts the agent, which reports to the real server; a second run upgrades in place;
 * --uninstall removes everything. Failures (no root, no token, revoked token, unreachable server,
 * tampered download) exit 1 with a precise message and leave the temp root empty.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { buildAgentExecutables } from '../helpers/agent-executables.js';
import { waitFor } from './helpers/protocol-server.js';
import { reenrollCommand } from '../../dashboard/src/lib/install-commands.js';

const isRoot = process.getuid?.() === 0;
const BUILD_DIR = path.resolve('dist/agent/bin');

beforeAll(() => (isRoot ? buildAgentExecutables() : undefined), 300_000);

let dir: string;
let t: TestServer | undefined;
afterEach(async () => {
  const pidFile = path.join(dir, 'agent.pid');
  if (fs.existsSync(pidFile)) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A stand-in for systemd: logs each call and runs the installed agent as nobody. */
function writeHook(): string {
  const hook = path.join(dir, 'service-hook.sh');
  fs.writeFileSync(
    hook,
    `#!/bin/sh
echo "$1 $2" >> "${dir}/hook.log"
stop() { if [ -f "${dir}/agent.pid" ]; then kill "$(cat "${dir}/agent.pid")" 2>/dev/null || true; rm -f "${dir}/agent.pid"; fi; }
case "$1" in
  start|restart) stop
    setpriv --reuid=nobody --regid=nogroup --clear-groups "${dir}/root/opt/quarkpulse/bin/quarkpulse-agent" agent run --config "${dir}/root/etc/quarkpulse/agent.json" --log-level warn >/dev/null 2>"${dir}/agent.err" &
    echo $! > "${dir}/agent.pid" ;;
  stop) stop ;;
esac
`,
    { mode: 0o755 },
  );
  return hook;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `curl -fsSL <url>/install.sh | [QP_TOKEN=…] sh [-s -- args]` with the test hooks. */
function runInstaller(url: string, opts: { token?: string; args?: string[]; asNobody?: boolean } = {}): Promise<Outcome> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    QP_INSTALL_ROOT: path.join(dir, 'root'),
    QP_SERVICE_HOOK: path.join(dir, 'service-hook.sh'),
    QP_AGENT_USER: 'nobody',
    ...(opts.token ? { QP_TOKEN: opts.token } : {}),
  };
  const args = opts.args?.length ? ` -s -- ${opts.args.join(' ')}` : '';
  const sh = opts.asNobody ? 'setpriv --reuid=nobody --regid=nogroup --clear-groups sh' : 'sh';
  return new Promise((resolve) => {
    execFile('sh', ['-c', `curl -fsSL ${url}/install.sh | ${sh}${args}`], { env, cwd: dir }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

const filesUnder = (root: string): string[] => (fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true }) as string[]).sort() : []);

async function serverWithToken(dirs: string[]) {
  t = await startTestServer({ dataDir: path.join(dir, 'server'), storageUpkeep: false, agentArtifactDirs: dirs });
  const api = new ApiClient(t.url);
  await api.login();
  const client = (await api.post('/api/clients', { name: 'Installed', contract: 'monthly' })).json;
  const created = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json;
  return { api, token: created.token as string, tokenId: created.id as string };
}

function freshDir(): void {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-install-'));
  fs.chmodSync(dir, 0o755); // nobody must reach the temp root
  writeHook();
}

describe.skipIf(!isRoot)('install.sh (run as root; skipped only for a non-root test run)', () => {
  it('installs, enrolls and starts the agent; a second run upgrades in place; --uninstall removes everything', async () => {
    freshDir();
    const { api, token } = await serverWithToken([BUILD_DIR]);
    const root = path.join(dir, 'root');

    const first = await runInstaller(t!.url, { token });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^quarkpulse agent \S+ installed \(linux-x64\), enrolled and started\n$/);
    const bin = path.join(root, 'opt/quarkpulse/bin/quarkpulse-agent');
    expect(fs.statSync(bin).mode & 0o777).toBe(0o755);
    expect(fs.statSync(bin).uid).toBe(0);
    const configFile = path.join(root, 'etc/quarkpulse/agent.json');
    expect(fs.statSync(configFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(configFile).uid).toBe(65534);
    const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
    expect(config.signingPublicKey).toBe((await api.get('/agent/signing-key')).json.publicKey);
    expect(config.stateDir).toBe(path.join(root, 'var/lib/quarkpulse'));
    const unit = fs.readFileSync(path.join(root, 'etc/systemd/system/quarkpulse-agent.service'), 'utf8');
    expect(unit).toContain('User=nobody');
    expect(unit).toContain('ExecStart=/opt/quarkpulse/bin/quarkpulse-agent agent run --config /etc/quarkpulse/agent.json');
    const reports = () => (t!.server.db.prepare('SELECT count(*) AS n FROM head_reports WHERE device_id = ?').get(config.deviceId) as { n: number }).n;
    await waitFor('a report from the installed agent', () => reports() >= 1, 30_000);

    // Second run: no token needed, same device, binary replaced, service restarted.
    const before = reports();
    const second = await runInstaller(t!.url);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^quarkpulse agent upgraded to \S+ \(linux-x64\)\n$/);
    expect(JSON.parse(fs.readFileSync(configFile, 'utf8')).deviceId).toBe(config.deviceId);
    await waitFor('a report after the upgrade', () => reports() > before, 30_000);
    expect((t!.server.db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n).toBe(1);

    const removed = await runInstaller(t!.url, { args: ['--uninstall'] });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe('quarkpulse agent removed (the device stays in the dashboard until you delete it there)\n');
    expect(filesUnder(root).filter((f) => !fs.statSync(path.join(root, f)).isDirectory())).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'hook.log'), 'utf8').split('\n').filter(Boolean)).toEqual([
      'start quarkpulse-agent',
      'stop quarkpulse-agent',
      'restart quarkpulse-agent',
      'stop quarkpulse-agent',
      'remove quarkpulse-agent',
    ]);
  }, 180_000);

  it('after a restore from a backup older than the install, lists the agent as needing re-enrollment; the shown line brings it back', async () => {
    freshDir();
    const { api, token } = await serverWithToken([BUILD_DIR]);
    const port = Number(new URL(t!.url).port);
    const dataDir = path.join(dir, 'server');
    // Yesterday's backup: the client and its token, no device yet.
    await t!.server.db.backup(path.join(dir, 'backup.db'));
    expect((await runInstaller(t!.url, { token })).code).toBe(0);
    const configFile = path.join(dir, 'root/etc/quarkpulse/agent.json');
    const { deviceId } = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { deviceId: string };
    await waitFor(
      'the installed agent is connected',
      () => (t!.server.ctx.agents as unknown as { isConnected(id: string): boolean }).isConnected(deviceId),
      30_000,
    );

    // Restore (OPERATIONS.md §9): stop, put the backup in place, start on the same address.
    await t!.close();
    for (const f of fs.readdirSync(dataDir)) if (f.startsWith('quarkpulse.db')) fs.rmSync(path.join(dataDir, f));
    fs.copyFileSync(path.join(dir, 'backup.db'), path.join(dataDir, 'quarkpulse.db'));
    t = await startTestServer({ dataDir, storageUpkeep: false, agentArtifactDirs: [BUILD_DIR] }, port);
    const restored = new ApiClient(t.url);
    await restored.login();
    // The agent's next start (here at once, instead of after its backoff) is refused: listed with what it said.
    execFileSync(path.join(dir, 'service-hook.sh'), ['restart', 'quarkpulse-agent']);
    let listed: { id: string; deviceId: string; hostname: string; platform: string; remoteIp: string; isKnownDevice: boolean }[] = [];
    for (let i = 0; i < 200 && listed.length === 0; i++) {
      listed = (await restored.get('/api/refused-agents')).json;
      if (listed.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(listed).toMatchObject([{ deviceId, hostname: os.hostname(), platform: 'linux-x64', isKnownDevice: false }]);
    expect(listed[0]!.remoteIp).toMatch(/127\.0\.0\.1$/);

    // The line the dashboard shows for it, run as shown (QP_TOKEN in the environment).
    const line = reenrollCommand(t.url, token, listed[0]!.platform);
    expect(line).toBe(`curl -fsSL ${t.url}/install.sh | sudo QP_TOKEN=${token} sh -s -- --reenroll`);
    const fixed = await runInstaller(t.url, { token, args: ['--reenroll'] });
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toMatch(/^quarkpulse agent \S+ re-enrolled and restarted \(linux-x64\)\n$/);
    const again = JSON.parse(fs.readFileSync(configFile, 'utf8')) as { deviceId: string };
    const reports = () => (t!.server.db.prepare('SELECT count(*) AS n FROM head_reports WHERE device_id = ?').get(again.deviceId) as { n: number }).n;
    await waitFor('a report to the restored server', () => reports() >= 1, 30_000);
    // Connected with its new credential: no longer on the list.
    expect((await restored.get('/api/refused-agents')).json).toEqual([]);
    expect((await api.get('/api/health')).status).toBe(200);
  }, 180_000);

  it('refuses without root, without a token, with a revoked token and against an unreachable server, changing nothing', async () => {
    freshDir();
    const { api, token, tokenId } = await serverWithToken([BUILD_DIR]);
    const root = path.join(dir, 'root');
    const url = t!.url;

    expect(await runInstaller(url, { token, asNobody: true })).toEqual({
      code: 1,
      stdout: '',
      stderr: `quarkpulse install: must run as root; use: curl -fsSL ${url}/install.sh | sudo QP_TOKEN=qpe_... sh\n`,
    });
    expect(await runInstaller(url)).toEqual({
      code: 1,
      stdout: '',
      stderr: 'quarkpulse install: no enrollment token: run with QP_TOKEN=qpe_... (copy the line from the dashboard) or --token-file FILE\n',
    });
    expect((await api.delete(`/api/enrollment-tokens/${tokenId}`)).status).toBe(200);
    const revoked = await runInstaller(url, { token });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toMatch(
      /^quarkpulse install: .*enrollment failed: ENROLLMENT_TOKEN_INVALID: enrollment token is unknown, expired or revoked; nothing was installed\n$/,
    );

    const script = await (await fetch(`${url}/install.sh`)).text();
    fs.writeFileSync(path.join(dir, 'install.sh'), script);
    await t!.close();
    t = undefined;
    const unreachable = await new Promise<Outcome>((resolve) => {
      const child = spawn('sh', [path.join(dir, 'install.sh')], {
        env: { PATH: process.env.PATH, QP_TOKEN: token, QP_INSTALL_ROOT: root, QP_SERVICE_HOOK: path.join(dir, 'service-hook.sh'), QP_AGENT_USER: 'nobody' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(
        `^quarkpulse install: cannot download ${url}/agent/download/\\S+/linux-x64: curl: \\(7\\) .* — is the server reachable from this machine\\?\\n$`,
      ),
    );
    expect(filesUnder(root)).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'hook.log'))).toBe(false);
  }, 120_000);

  it('refuses a download that was tampered with after signing, and installs nothing', async () => {
    freshDir();
    const build = path.join(dir, 'build');
    fs.mkdirSync(build);
    const bytes = Buffer.from('#!/bin/sh\necho genuine\n');
    fs.writeFileSync(path.join(build, 'quarkpulse-agent-linux-x64'), bytes);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    fs.writeFileSync(
      path.join(build, 'build.json'),
      JSON.stringify({ version: '9.0.0', artifacts: [{ platform: 'linux-x64', file: 'quarkpulse-agent-linux-x64', size: bytes.length, sha256 }] }),
    );
    const { token } = await serverWithToken([build]);
    // Same size, one byte changed, after the server signed the genuine hash.
    fs.writeFileSync(path.join(build, 'quarkpulse-agent-linux-x64'), Buffer.from('#!/bin/sh\necho tampered\n').subarray(0, bytes.length));
    const out = await runInstaller(t!.url, { token });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(
      new RegExp(`^quarkpulse install: refused the download: sha256 [0-9a-f]{64}, the signed manifest says ${sha256}; nothing was installed\\n$`),
    );
    expect(filesUnder(path.join(dir, 'root'))).toEqual([]);
  });
});
