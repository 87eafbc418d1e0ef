/**
 * Every comment that switches an ESLint rule off says why, after ` -- ` (ESLint's own syntax for
 * a directive's description), so a reader can judge whether it still holds. The
 * eslint-comments plugin that enforces this is not installed; this test does the same check.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FOLDERS = ['bin', 'shared', 'agent', 'server', 'dashboard/src', 'tests', 'scripts'];
const SKIP = new Set(['node_modules', 'dist', 'coverage', 'data']);

// Built from parts so this file's own text is not a directive.
const DIRECTIVE = new RegExp(String.raw`(?://|/\*)\s*eslint-(?:disable|enable)` + String.raw`(?:-next-line|-line)?\b(.*)`);

/** `file:line: comment` of each disable directive without a ` -- reason`. */
export function directivesWithoutReason(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [name, text] of files) {
    text.split('\n').forEach((line, i) => {
      const m = DIRECTIVE.exec(line);
      // Switching rules back on has nothing to explain; a disable needs ` -- ` and words after it.
      if (!m || m[0].includes('enable')) return;
      const rest = m[1]!.replace(/\*\/.*$/, '');
      if (!/\s--\s+\S/.test(rest)) out.push(`${name}:${i + 1}: ${line.trim()}`);
    });
  }
  return out;
}

function lintedSources(): Map<string, string> {
  const out = new Map<string, string>([['eslint.config.js', readFileSync(path.join(root, 'eslint.config.js'), 'utf8')]]);
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (SKIP.has(e.name)) continue;
      const child = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(child);
      else if (/\.(?:[cm]?js|tsx?)$/.test(e.name)) out.set(child, readFileSync(path.join(root, child), 'utf8'));
    }
  };
  for (const f of FOLDERS) walk(f);
  return out;
}

describe('eslint-disable comments say why', () => {
  it('every disable directive in the linted sources has a " -- reason"', () => {
    const files = lintedSources();
    expect(files.size).toBeGreaterThan(300);
    expect(directivesWithoutReason(files)).toEqual([]);
  });

  it('catches a directive without a reason, in every form', () => {
    const d = 'eslint' + '-disable';
    const sources = new Map([
      [
        'x.ts',
        [
          `// ${d}-next-line @typescript-eslint/no-explicit-any`,
          `const a = 1; // ${d}-line no-console`,
          `/* ${d} no-console */`,
          `// ${d}-next-line react-hooks/exhaustive-deps -- deps stand for what load reads`,
          `/* ${d} no-console -- a CLI prints */`,
          `// ${d}-next-line no-console --`,
        ].join('\n'),
      ],
    ]);
    expect(directivesWithoutReason(sources)).toEqual([
      `x.ts:1: // ${d}-next-line @typescript-eslint/no-explicit-any`,
      `x.ts:2: const a = 1; // ${d}-line no-console`,
      `x.ts:3: /* ${d} no-console */`,
      `x.ts:6: // ${d}-next-line no-console --`,
    ]);
  });
});
