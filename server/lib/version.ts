/** The package version, read once from package.json. */
import { readFileSync } from 'node:fs';

function findVersion(): string {
  // Works from the source tree (server/lib/) and from the build (dist/server/lib/).
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'quarkpulse-monitor' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const VERSION = findVersion();
