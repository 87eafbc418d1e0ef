/**
 * server.close() always returns: with the WAL checkpoint thread running (it is unref'd so it never
 * keeps the process alive on its own), a process whose only pending work is awaiting close() must
 * still see the promise resolve. Before the fix the process exited 0 with nothing printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'close-and-print.ts');

describe('server.close()', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('resolves with the checkpointer running, so code after it runs', { timeout: 60_000 }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-close-'));
    dirs.push(dataDir);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fixture, dataDir], { timeout: 50_000 });
    expect(stdout).toBe('closed\n');
  });
});
