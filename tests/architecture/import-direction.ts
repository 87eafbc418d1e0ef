/**
 * The layering of docs/ARCHITECTURE.md as data, and a checker that reads every relative import
 * of the source tree and reports each arrow that points up (or sideways into a sibling layer).
 * Plain text parsing on purpose: import specifiers are string literals, and this file must not
 * depend on the code it checks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Layers bottom → top; a file may import its own folder and any layer listed before its own. */
export const SERVER_LAYERS: readonly (readonly string[])[] = [
  ['shared'],
  ['server/lib', 'server/time', 'server/signing'],
  ['server/store'],
  ['server/series'],
  ['server/audit', 'server/auth'],
  ['server/accounts', 'server/fleet'],
  ['server/ingest'],
  ['server/alerting/policy'],
  ['server/alerting/engine'],
  ['server/alerting'],
  ['server/billing'],
  ['server/oncall'],
  ['server/notify'],
  ['server/setup'],
  ['server/jobs', 'server/probe'],
  ['server/gateway', 'server/live', 'server/metrics', 'server/agent-dist'],
  ['server/http'],
  ['server/api'],
  ['server/compose'],
  ['server'],
  ['bin'],
];

/** Programs beside the server: each may import only itself and shared/; only bin/ imports them. */
export const SEPARATE_PROGRAMS: readonly string[] = ['agent', 'dashboard/src'];

/** Where a file belongs: the longest folder prefix named in the tables, or undefined. */
export function folderOf(file: string): string | undefined {
  const all = [...SERVER_LAYERS.flat(), ...SEPARATE_PROGRAMS];
  let best: string | undefined;
  for (const f of all) if ((file === f || file.startsWith(`${f}/`)) && (!best || f.length > best.length)) best = f;
  return best;
}

/** Undefined when `from` may import `to`, else why not. */
export function whyNot(from: string, to: string): string | undefined {
  const a = folderOf(from);
  const b = folderOf(to);
  if (!a || !b || a === b) return undefined;
  // shared/node/ runs only in Node (node:crypto): the agent and the server share it, the browser cannot.
  if (a === 'dashboard/src' && to.startsWith('shared/node/')) return 'shared/node/ runs only in Node; the dashboard cannot import it';
  if (SEPARATE_PROGRAMS.includes(a)) return b === 'shared' ? undefined : `${a}/ may import only shared/`;
  // bin/ is the command that starts either program.
  if (SEPARATE_PROGRAMS.includes(b)) return a === 'bin' ? undefined : `${b}/ is a separate program`;
  if (b === 'server/series' && to !== 'server/series/index.js') return 'server/series/ is imported through its entry, server/series/index.js';
  const rank = (f: string) => SERVER_LAYERS.findIndex((layer) => layer.includes(f));
  if (rank(b) < rank(a)) return undefined;
  return rank(b) === rank(a) ? `${a}/ and ${b}/ are siblings in one layer` : `${b}/ is above ${a}/`;
}

/** Every relative specifier of a file's import, export … from, and import() (type imports too). */
export function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** One arrow that points the wrong way. */
export interface Violation {
  file: string;
  specifier: string;
  target: string;
  reason: string;
}

/** Checks files given as { path relative to the root: source text }. */
export function checkSources(sources: ReadonlyMap<string, string>): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of sources) {
    for (const specifier of importsOf(text)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
      const reason = whyNot(file, target);
      if (reason) out.push({ file, specifier, target, reason });
    }
  }
  return out;
}

/** Reads every .ts/.tsx below the given folders of `root`. */
export function readSources(root: string, folders: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else if (/\.tsx?$/.test(e.name)) out.set(child, readFileSync(path.join(root, child), 'utf8'));
    }
  };
  for (const f of folders) walk(f);
  return out;
}

/** One line per violation: `file → import (reason)`. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file} → ${v.specifier} (${v.reason})`).join('\n');
}
