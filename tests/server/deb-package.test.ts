/**
 * The Debian package of the server (`npm run build:deb`), installed with the real dpkg (the test
 * runs as root): files, the quarkpulse user and /var/lib/quarkpulse; the installed server started
 * without systemctl — the unit's ExecStart run as the unit's user, with the unit's
 * EnvironmentFile — answers and keeps data; an upgrade to a second build keeps the data and the
 * locally changed /etc/default/quarkpulse; purge removes everything. The package is built from
 * the dist/ of this checkout (no npm ci) and uncompressed, to keep the test short.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../helpers/test-server.js';

const run = promisify(execFile);
const isRoot = process.getuid?.() === 0;
const hasDpkg = fs.existsSync('/usr/bin/dpkg-deb') && fs.existsSync('/usr/bin/dpkg');
const PASSWORD = 'deb-admin-password-1';
const V = (JSON.parse(fs.readFileSync('package.json', 'utf8')) as { version: string }).version;

let dir: string;
let server: ChildProcess | undefined;
let port: number;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

/** KEY=VALUE lines of an EnvironmentFile (comments and blanks skipped). */
function environmentFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

/** What systemd would start: ExecStart, User and EnvironmentFile of the installed unit, run without systemctl. */
async function startInstalled(): Promise<void> {
  const unit = fs.readFileSync('/lib/systemd/system/quarkpulse.service', 'utf8');
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(unit)![1]!;
  const [program, ...args] = get('ExecStart').split(' ');
  const env = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...environmentFile(get('EnvironmentFile')) };
  server = spawn('setpriv', ['--reuid', get('User'), '--regid', get('Group'), '--init-groups', program!, ...args], {
    env,
    cwd: get('WorkingDirectory'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  server.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null) throw new Error(`the installed server exited with ${server.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`the installed server did not answer within 30 s: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopInstalled(): Promise<number | null> {
  if (!server || server.exitCode !== null) return server?.exitCode ?? null;
  const exited = new Promise<number | null>((r) => server!.once('exit', (code) => r(code)));
  server.kill('SIGTERM');
  const code = await exited;
  server = undefined;
  return code;
}

async function buildDeb(version: string): Promise<string> {
  await run(process.execPath, ['scripts/build-deb.mjs', '--version', version, '--out', dir, '--no-agents', '--compression', 'none'], { maxBuffer: 16 << 20 });
  return path.join(dir, `quarkpulse_${version}_amd64.deb`);
}

describe.skipIf(!isRoot || !hasDpkg)('Debian package (real dpkg, run as root; skipped otherwise)', () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-deb-'));
    // The package is made from the built dist/: build it when this checkout has none.
    if (!fs.existsSync('dist/bin/quarkpulse.js') || !fs.existsSync('dist/dashboard/index.html')) {
      await run('npm', ['run', 'build'], { maxBuffer: 64 << 20 });
    }
    port = await freePort();
  }, 180_000);
  afterAll(async () => {
    await stopInstalled();
    // Never leave the package on the machine, whatever failed.
    if (execFileSync('sh', ['-c', "dpkg-query -W -f='${Status}' quarkpulse 2>/dev/null || true"], { encoding: 'utf8' }).includes('installed')) {
      execFileSync('dpkg', ['--purge', 'quarkpulse'], { stdio: 'ignore' });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('installs, runs as quarkpulse from /etc/default/quarkpulse, upgrades keeping the data and the settings, and purges', async () => {
    const first = await buildDeb(`${V}-1`);
    const second = await buildDeb(`${V}-2`);
    const info = (await run('dpkg-deb', ['-f', first])).stdout;
    expect(info).toMatch(/^Package: quarkpulse$/m);
    expect(info).toMatch(/^Architecture: amd64$/m);

    await run('dpkg', ['-i', first]);
    expect((await run('dpkg-query', ['-W', '-f=${Version} ${Status}', 'quarkpulse'])).stdout).toBe(`${V}-1 install ok installed`);
    const user = (await run('getent', ['passwd', 'quarkpulse'])).stdout.split(':');
    expect(user[5]).toBe('/var/lib/quarkpulse');
    expect(user[6]!.trim()).toBe('/usr/sbin/nologin');
    const data = fs.statSync('/var/lib/quarkpulse');
    expect(data.uid).toBe(Number(user[2]));
    expect(data.mode & 0o777).toBe(0o750);
    expect(fs.statSync('/etc/default/quarkpulse').mode & 0o777).toBe(0o640);
    expect(fs.existsSync('/opt/quarkpulse/node/bin/node')).toBe(true);
    expect(fs.existsSync('/opt/quarkpulse/node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    // Production dependencies only: no test runner, no bundler in the package.
    expect(fs.existsSync('/opt/quarkpulse/node_modules/vitest')).toBe(false);
    expect(fs.existsSync('/opt/quarkpulse/node_modules/vite')).toBe(false);

    // A local setting, as an admin would change it: the port and a headless admin password.
    const defaults = fs.readFileSync('/etc/default/quarkpulse', 'utf8');
    expect(defaults).toMatch(/^QP_PORT=8080$/m);
    expect(defaults).toMatch(/^QP_DATA_DIR=\/var\/lib\/quarkpulse$/m);
    fs.writeFileSync(
      '/etc/default/quarkpulse',
      `${defaults.replace('QP_PORT=8080', `QP_PORT=${port}`).replace('QP_HOST=0.0.0.0', 'QP_HOST=127.0.0.1')}QP_ADMIN_PASSWORD=${PASSWORD}\n`,
    );

    await startInstalled();
    const api = new ApiClient(`http://127.0.0.1:${port}`);
    expect((await api.get('/api/health')).json).toMatchObject({ status: 'ok', version: V });
    await api.login('admin', PASSWORD);
    expect((await api.post('/api/clients', { name: 'Kept across upgrades', contract: 'monthly' })).status).toBe(201);
    // The dashboard is served from the package.
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(200);
    expect(await stopInstalled()).toBe(0);
    // Everything the server wrote is the service user's, under /var/lib/quarkpulse.
    for (const f of fs.readdirSync('/var/lib/quarkpulse')) expect(fs.statSync(path.join('/var/lib/quarkpulse', f)).uid, f).toBe(Number(user[2]));
    expect(fs.readdirSync('/var/lib/quarkpulse')).toEqual(expect.arrayContaining(['quarkpulse.db', 'signing-key.pem', 'secret.key']));

    // Upgrade: the data and the changed conffile stay.
    await run('dpkg', ['-i', second]);
    expect((await run('dpkg-query', ['-W', '-f=${Version}', 'quarkpulse'])).stdout).toBe(`${V}-2`);
    expect(fs.readFileSync('/etc/default/quarkpulse', 'utf8')).toContain(`QP_PORT=${port}`);
    await startInstalled();
    const again = new ApiClient(`http://127.0.0.1:${port}`);
    expect((await again.get('/api/health')).json).toMatchObject({ version: V });
    await again.login('admin', PASSWORD);
    expect(((await again.get('/api/clients')).json as { name: string }[]).map((c) => c.name)).toContain('Kept across upgrades');
    expect(await stopInstalled()).toBe(0);

    // Remove keeps the data; purge takes the data, the settings and the user.
    await run('dpkg', ['--remove', 'quarkpulse']);
    expect(fs.existsSync('/var/lib/quarkpulse/quarkpulse.db')).toBe(true);
    expect(fs.existsSync('/opt/quarkpulse/dist')).toBe(false);
    await run('dpkg', ['--purge', 'quarkpulse']);
    for (const p of ['/opt/quarkpulse', '/var/lib/quarkpulse', '/etc/default/quarkpulse', '/lib/systemd/system/quarkpulse.service'])
      expect(fs.existsSync(p), p).toBe(false);
    await expect(run('getent', ['passwd', 'quarkpulse'])).rejects.toMatchObject({ code: 2 });
  }, 240_000);
});
