/**
 * Debian's PostgreSQL as a throw-away test partner: `startPostgres()` runs initdb into a fresh
 * temp dir and starts the server on a free loopback port (and a unix socket in that dir), with
 * trust authentication for loopback only and fsync off; `stop()` stops it (`pg_ctl stop -m
 * immediate`) and removes the dir. PostgreSQL refuses to run as root, and CI runs the tests as
 * root: then initdb and the server run as the system user `qp-pg-test` (created on first use), a
 * user without a shell or home. The server is the test's child and gets SIGQUIT (immediate
 * shutdown) if the test process dies, so a crashed test leaves no server behind.
 *
 * In CI (CI=true, .ci/run installs Debian's `postgresql`) missing binaries are a failure; on a
 * developer machine without them `hasPostgres()` says why and the suite is skipped.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const TEST_USER = 'qp-pg-test';

/** The newest `/usr/lib/postgresql/<major>/bin` that has initdb (or QP_PG_BIN), undefined if none. */
export const PG_BIN: string | undefined = (() => {
  if (process.env.QP_PG_BIN) return process.env.QP_PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const majors = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : path.join(root, majors[0], 'bin');
})();

/** True when PostgreSQL is installed; throws in CI when it is not; warns and returns false elsewhere. */
export function hasPostgres(): boolean {
  if (PG_BIN) return true;
  if (process.env.CI === 'true') throw new Error('CI=true but no /usr/lib/postgresql/*/bin/initdb: .ci/run must apt-get install postgresql');
  console.warn('skipping PostgreSQL tests: no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)');
  return false;
}

export interface TestPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`, the superuser's database. */
  url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Who runs initdb and the server: ourselves, or the unprivileged test user when we are root. */
interface RunAs {
  uid: number;
  gid: number;
}

function runAs(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', TEST_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', TEST_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', TEST_USER], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    // Another test file may have created it a moment ago; only a user that still is missing is an error.
    if (!lookup()) throw new Error(`cannot create the system user ${TEST_USER} for PostgreSQL: ${(err as Error).message}`, { cause: err });
  }
  return lookup()!;
}

/** The command line that runs `bin args` as `as` (setpriv, no shell), with a parent-death signal. */
function command(as: RunAs | undefined, bin: string, args: string[], deathSignal?: string): [string, string[]] {
  if (!as && !deathSignal) return [bin, args];
  const ids = as ? [`--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups'] : [];
  const death = deathSignal ? [`--pdeathsig=${deathSignal}`] : [];
  return ['setpriv', [...ids, ...death, '--', bin, ...args]];
}

function run(as: RunAs | undefined, bin: string, args: string[]): string {
  const [cmd, argv] = command(as, bin, args);
  try {
    return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${path.basename(bin)} failed: ${e.stderr || e.stdout || e.message}`, { cause: err });
  }
}

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Resolves once a TCP connection to the port is accepted and the server says it is ready. */
async function waitReady(bin: string, as: RunAs | undefined, dir: string, port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited before it was ready: ${log()}`);
    try {
      run(as, path.join(bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-d', 'postgres', '-U', 'postgres']);
      return;
    } catch {
      // not yet (starting, or recovering)
    }
    if (Date.now() > deadline) throw new Error(`postgres did not become ready in 30 s (dir ${dir}): ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a fresh PostgreSQL cluster; throws when the binaries are missing (check `hasPostgres()` first). */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = PG_BIN;
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql');
  const as = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-pg-'));
  const data = path.join(dir, 'data');
  fs.mkdirSync(data, { mode: 0o700 });
  if (as) {
    fs.chownSync(dir, as.uid, as.gid);
    fs.chownSync(data, as.uid, as.gid);
  }
  try {
    // Trust on the unix socket in `dir` and on 127.0.0.1/::1 only (initdb's pg_hba.conf lines); no other address listens.
    run(as, path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-locale', '--no-sync', '--no-instructions']);
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  // A free port can be taken by someone else before postgres binds it: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freeTcpPort();
    const [cmd, argv] = command(
      as,
      path.join(bin, 'postgres'),
      [
        '-D',
        data,
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'shared_buffers=16MB',
        '-c',
        'max_connections=40',
        '-c',
        'logging_collector=off',
      ],
      // SIGQUIT is PostgreSQL's immediate shutdown: sent if this test process dies first.
      'QUIT',
    );
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitReady(bin, as, dir, port, child, () => out);
    } catch (err) {
      child.kill('SIGQUIT');
      await exited;
      if (attempt < 3 && /could not bind|Address already in use/i.test(out)) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    let stopped = false;
    return {
      url,
      async createDatabase(name) {
        if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
        run(as, path.join(bin, 'psql'), ['-q', '-X', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', `CREATE DATABASE ${name}`]);
        return `postgresql://postgres@127.0.0.1:${port}/${name}`;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) {
          try {
            run(as, path.join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w', '-s']);
          } catch {
            child.kill('SIGQUIT');
          }
          await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
