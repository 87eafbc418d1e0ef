/**
 * Audit entries are written by the services that make the change, so a change made on the
 * server's command line is audited like one made over REST. This test fails when a route file
 * writes an entry itself (audited(…) or audit.record(…)); the audit log's own export entry is
 * recorded through its dedicated method. Nor may a route change rows through the raw stores of
 * its context (ctx.devices.enroll(…)): that is a change without its service, so without its entry.
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

/** The raw stores an ApiContext carries (server/api/context.ts); routes may only read them. */
const STORE_CALL = /\bctx\s*\.\s*(users|clients|devices|settings|inventory|apiTokens|probes|metrics)\s*\.\s*([A-Za-z]+)\s*\(/g;
/** Method names of store reads: a find, a list, a query, a summary. */
const READS = /^(find|list|get|is|ids|summary|query|for|results|credentialChecks|count|latest|has|resolve)/;

/** Route files' calls of a store method that is not a read, with the offending line. */
export function routesWritingStores(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [name, text] of files) {
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(STORE_CALL)) if (!READS.test(m[2]!)) out.push(`${name}:${i + 1}: ctx.${m[1]}.${m[2]}`);
    });
  }
  return out;
}

const routeFiles = () =>
  new Map(
    readdirSync(API_DIR)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => [f, readFileSync(path.join(API_DIR, f), 'utf8')] as const),
  );

describe('audit entries live in services', () => {
  it('no route in server/api writes an audit entry itself', () => {
    const files = routeFiles();
    expect(files.size).toBeGreaterThan(10);
    expect(routesWritingEntries(files)).toEqual([]);
  });

  it('catches a route that does', () => {
    const sneaky = new Map([['x-routes.ts', "r.post('/', (req) => {\n  ctx.audit.audited(actorOf(req), (record) => record({}));\n});"]]);
    expect(routesWritingEntries(sneaky)).toEqual(['x-routes.ts:2: ctx.audit.audited(actorOf(req), (record) => record({}));']);
  });

  it('no route in server/api changes rows through a raw store', () => {
    const files = routeFiles();
    expect(files.size).toBeGreaterThan(10);
    expect(routesWritingStores(files)).toEqual([]);
  });

  it('catches a route that does, and lets reads through', () => {
    const sneaky = new Map([
      [
        'enroll-routes.ts',
        'const m = ctx.devices.findByMachine(c, id);\nctx.clients.markEnrollmentTokenUsed(tokenId, now);\nconst { device } = ctx.devices.enroll(input, now);',
      ],
    ]);
    expect(routesWritingStores(sneaky)).toEqual(['enroll-routes.ts:2: ctx.clients.markEnrollmentTokenUsed', 'enroll-routes.ts:3: ctx.devices.enroll']);
  });
});
