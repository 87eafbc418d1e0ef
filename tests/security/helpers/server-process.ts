/** Starts tests/security/fixtures/server-process.ts (a real server) in a child process on loopback. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'server-process.ts');

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  url: string;
  /** What it wrote to stderr (warnings and errors), for failure messages. */
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Forks the server on `port` (0: any) over `dataDir` and resolves once it listens. */
export function startServerProcess(dataDir: string, port: number): Promise<ServerProcess> {
  const child = fork(script, [dataDir, String(port)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server process did not start in 20 s: ${stderr}`)), 20_000);
    child.once('message', (m: { type: string; port: number }) => {
      clearTimeout(timer);
      resolve({ child, port: m.port, url: `http://127.0.0.1:${m.port}`, stderr: () => stderr, exited });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server process exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });
}
