// Builds the single-file agent: dist/agent/quarkpulse-agent.mjs, runnable with plain `node` (20+),
// no node_modules needed. `npm run build:agent`.
import { build } from 'esbuild';
import { readFileSync, statSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outfile = 'dist/agent/quarkpulse-agent.mjs';

await build({
  entryPoints: ['agent/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  minify: true,
  legalComments: 'none',
  // ws has optional native add-ons; without them it uses its JavaScript code paths.
  external: ['bufferutil', 'utf-8-validate'],
  define: { __QP_AGENT_VERSION__: JSON.stringify(version) },
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire as __qpCreateRequire } from 'node:module'; const require = __qpCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
process.stdout.write(`built ${outfile} (${Math.round(statSync(outfile).size / 1024)} KiB)\n`);
