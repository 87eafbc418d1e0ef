/**
 * The dashboard's folders import downwards only: lib/ (no UI) ← ui/ (shared components) ←
 * pages/<page>/ (one page each, never another page) ← shell/ and app.tsx/main.tsx. This reads
 * every import of dashboard/src and fails on an arrow that points the wrong way.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../dashboard/src');

interface Edge {
  from: string;
  to: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : /\.(ts|tsx|css)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Every relative import (static, dynamic, side-effect, CSS @import) as a pair of paths under src/. */
function importEdges(srcDir: string): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+|@import\s+)'(\.{1,2}\/[^']+)'/gm)) {
      edges.push({ from: relative(srcDir, file), to: relative(srcDir, resolve(dirname(file), m[1]!)) });
    }
  }
  return edges;
}

/** The layer of a path under src/, or `outside` (shared/ and the like). */
function layerOf(path: string): { layer: 'lib' | 'ui' | 'page' | 'shell' | 'root' | 'outside'; page?: string } {
  if (path.startsWith('..')) return { layer: 'outside' };
  const [top, second] = path.split('/');
  if (top === 'lib' || top === 'ui' || top === 'shell') return { layer: top };
  if (top === 'pages') return { layer: 'page', page: second };
  return { layer: 'root' };
}

const rank = { outside: 0, lib: 1, ui: 2, page: 3, shell: 4, root: 5 } as const;

/** The edges that break the layering, as `from → to` lines. */
function wrongWay(edges: readonly Edge[]): string[] {
  return edges
    .filter(({ from, to }) => {
      const a = layerOf(from);
      const b = layerOf(to);
      if (a.layer === 'page' && b.layer === 'page') return a.page !== b.page;
      return rank[b.layer] > rank[a.layer];
    })
    .map(({ from, to }) => `${from} → ${to}`);
}

describe('dashboard layers', () => {
  const edges = importEdges(SRC);

  it('finds the imports (the scan itself works)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: 'main.tsx', to: 'styles.css' });
    expect(edges).toContainEqual({ from: 'styles.css', to: 'ui/ui.css' });
    expect(edges).toContainEqual({ from: 'app.tsx', to: 'pages/device/device-view.js' });
  });

  it('has no import that points up a layer or across to another page', () => {
    expect(wrongWay(edges)).toEqual([]);
  });

  it('reports a page importing another page, ui/ importing a page, and lib/ importing ui/', () => {
    expect(
      wrongWay([
        { from: 'pages/clients/client-detail-view.tsx', to: 'pages/device/device-view.js' },
        { from: 'ui/fleet-list.tsx', to: 'pages/fleet/fleet-view.js' },
        { from: 'lib/api.ts', to: 'ui/ui.js' },
        { from: 'pages/clients/client-form.tsx', to: 'pages/clients/client-form.css' },
        { from: 'pages/fleet/fleet-view.tsx', to: 'lib/fleet-data.js' },
      ]),
    ).toEqual(['pages/clients/client-detail-view.tsx → pages/device/device-view.js', 'ui/fleet-list.tsx → pages/fleet/fleet-view.js', 'lib/api.ts → ui/ui.js']);
  });
});
