/**
 * Audit entries are written by the services that make the change, so a change made on the
 * server's command line is audited like one made over REST. This test fails when a route file
 * writes an entry itself (audited(…) or audit.record(…)); the audit log's own export entry is
 * recorded through its dedicated method.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const API_DIR = path.join(import.meta.dirname, '../../server/api');
const WRITES_AN_ENTRY = /\baudit\s*\.\s*(audited|record)\s*\(/;

/** Route files (relative names) that write an audit entry themselves, with the offending line. */
export function routesWritingEntries(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [name, text] of files) {
    text.split('\n').forEach((line, i) => {
      if (WRITES_AN_ENTRY.test(line)) out.push(`${name}:${i + 1}: ${line.trim()}`);
    });
  }
  return out;
}

describe('audit entries live in services', () => {
  it('no route in server/api writes an audit entry itself', () => {
    const files = new Map(
      readdirSync(API_DIR)
        .filter((f) => f.endsWith('.ts'))
        .map((f) => [f, readFileSync(path.join(API_DIR, f), 'utf8')] as const),
    );
    expect(files.size).toBeGreaterThan(10);
    expect(routesWritingEntries(files)).toEqual([]);
  });

  it('catches a route that does', () => {
    const sneaky = new Map([['x-routes.ts', "r.post('/', (req) => {\n  ctx.audit.audited(actorOf(req), (record) => record({}));\n});"]]);
    expect(routesWritingEntries(sneaky)).toEqual(['x-routes.ts:2: ctx.audit.audited(actorOf(req), (record) => record({}));']);
  });
});
