/**
 * The self-contained agent executables for tests: built once per test process with
 * scripts/build-agent.mjs (which itself skips executables whose inputs did not change), and a
 * PATH for child processes that has every system tool except node.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where `npm run build:agent` puts each platform's executable. */
export const AGENT_EXECUTABLES = {
  'linux-x64': path.resolve('dist/agent/bin/quarkpulse-agent-linux-x64'),
  'linux-arm64': path.resolve('dist/agent/bin/quarkpulse-agent-linux-arm64'),
  'windows-x64': path.resolve('dist/agent/bin/quarkpulse-agent-windows-x64.exe'),
} as const;
export const SEA_BLOB = path.resolve('dist/agent/sea/quarkpulse-agent.blob');

let building: Promise<void> | undefined;
/** Builds all agent executables (first call in this process; later calls share it). */
export function buildAgentExecutables(): Promise<void> {
  building ??= run(process.execPath, ['scripts/build-agent.mjs'], { maxBuffer: 16 << 20 }).then(() => undefined);
  return building;
}

const NODE_NAMES = new Set(['node', 'nodejs', 'npm', 'npx', 'corepack', 'tsx', 'bun']);
/**
 * A directory of symlinks to every program in the system bin directories except Node and its
 * tools, to use as the whole PATH of a child: what the agent would find on a client machine.
 */
export function pathWithoutNode(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-nonode-path-'));
  for (const bin of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!fs.existsSync(bin)) continue;
    for (const name of fs.readdirSync(bin)) {
      if (NODE_NAMES.has(name) || fs.existsSync(path.join(dir, name))) continue;
      fs.symlinkSync(path.join(bin, name), path.join(dir, name));
    }
  }
  return dir;
}
