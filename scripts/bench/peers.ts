/**
 * Peers the bench measures us against, run from their Debian packages on 127.0.0.1 with a temp
 * data dir, and stopped afterwards. Each start fails loudly (throws with the reason) when the
 * binary is missing or the peer does not answer, so a section never silently reports nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Sum of the sizes of every file under `dir` (apparent size, like SQLite's file size). */
export function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

export function requireBinary(bin: string, debianPackage: string): string {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`);
  return bin;
}

export interface PeerProcess {
  pid: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function waitHttp(url: string, child: ChildProcess, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode} before answering ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > end) throw new Error(`${what} did not answer ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    });
}

/** Debian's victoria-metrics (single node) on a free loopback port, data in `dataDir`. */
export async function startVictoriaMetrics(dataDir: string): Promise<PeerProcess> {
  const bin = requireBinary('/usr/bin/victoria-metrics', 'victoria-metrics');
  const port = await freePort();
  const child = spawn(bin, [`-storageDataPath=${dataDir}`, `-httpListenAddr=127.0.0.1:${port}`, '-retentionPeriod=100y', '-loggerLevel=ERROR'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = stopper(child);
  try {
    await waitHttp(`${url}/health`, child, 'victoria-metrics');
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: child.pid!, url, child, stop };
}

/** Asks VictoriaMetrics to write its in-memory rows to parts and merge every partition into one. */
export async function flushAndMergeVictoriaMetrics(url: string): Promise<void> {
  for (const p of ['/internal/force_flush', '/internal/force_merge']) {
    const res = await fetch(url + p);
    if (!res.ok) throw new Error(`victoria-metrics ${p}: HTTP ${res.status} ${await res.text()}`);
  }
  // force_merge only starts the merges: wait until none runs (two readings of 0 in a row), or
  // stopping it would panic ("unexpected refCount") and the sizes would be of a half-merged dir.
  const end = Date.now() + 180_000;
  let zeros = 0;
  while (zeros < 2) {
    await new Promise((r) => setTimeout(r, 500));
    const text = await (await fetch(`${url}/metrics`)).text();
    const active = [...text.matchAll(/^vm_active_(?:force_)?merges(?:\{[^}]*\})? (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    zeros = active === 0 ? zeros + 1 : 0;
    if (Date.now() > end) throw new Error('victoria-metrics: merges still running 180 s after force_merge');
  }
}
