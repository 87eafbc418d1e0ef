import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package version, read from the nearest package.json above this file, so the same code
 * reports the right version from agent/ (tsx) and from dist/agent/ (built).
 */
function readPackageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      if (typeof pkg.version === 'string' && pkg.version) return pkg.version.slice(0, 50);
    } catch {
      // not here; try the parent
    }
    dir = path.dirname(dir);
  }
  return '0.0.0';
}

/** Set by scripts/build-agent.mjs in the single-file bundle, which has no package.json beside it. */
declare const __QP_AGENT_VERSION__: string | undefined;

/** Version this agent reports in hello. */
export const AGENT_VERSION = typeof __QP_AGENT_VERSION__ === 'string' ? __QP_AGENT_VERSION__ : readPackageVersion();
