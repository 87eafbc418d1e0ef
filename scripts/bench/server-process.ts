/** Starts server-child.ts in its own process and waits until it listens. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const childFile = fileURLToPath(new URL('./server-child.ts', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  url: string;
  /** Graceful stop (flushes ingest, closes the database). */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export function startServerProcess(opts: {
  dataDir: string;
  port?: number;
  password: string;
  logLevel?: string;
  /** Another checkout's server-child.ts (A/B against a baseline commit); default this one. */
  childFile?: string;
  /** Extra node flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
}): Promise<ServerProcess> {
  const child = fork(
    opts.childFile ?? childFile,
    ['--data', opts.dataDir, '--port', String(opts.port ?? 0), '--password', opts.password, '--log-level', opts.logLevel ?? 'warn'],
    {
      execArgv: [...(opts.nodeArgs ?? []), '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
    child.on('message', (m: { type?: string; port?: number; pid?: number }) => {
      if (m.type !== 'listening') return;
      clearTimeout(timer);
      resolve({
        child,
        pid: child.pid!,
        port: m.port!,
        url: `http://127.0.0.1:${m.port}`,
        async stop() {
          if (child.exitCode !== null) return;
          child.send({ type: 'stop' });
          const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
          await exited;
          clearTimeout(t);
        },
        async kill() {
          if (child.exitCode !== null) return;
          child.kill('SIGKILL');
          await exited;
        },
      });
    });
  });
}
