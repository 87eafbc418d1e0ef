/**
 * The agent executables this server hands out: read from the build.json that
 * `npm run build:agent` writes next to them (one directory per version; several may be given),
 * each signed with the server's key at start. Files that are missing or whose size differs from
 * build.json are left out with a warning (a half-copied release is never offered).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AGENT_DIST_PATHS, isAgentPlatform, type AgentArtifact, type AgentManifest, type AgentPlatform } from '../../shared/agent-dist.js';
import type { SigningKey } from '../signing/signing-key.js';

/** An artifact with where its file lives on this server. */
export interface ServedArtifact extends AgentArtifact {
  readonly filePath: string;
}

/** The set of executables the server serves. */
export interface AgentArtifacts {
  manifest(): AgentManifest;
  find(version: string, platform: AgentPlatform): ServedArtifact | undefined;
  /** Versions available for a platform, newest build first as listed. */
  versions(platform: AgentPlatform): string[];
}

const VERSION_RE = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,49}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

interface BuildJson {
  version: string;
  artifacts: { platform: string; file: string; size: number; sha256: string }[];
}

function readBuildJson(dir: string, logger: Logger): BuildJson | undefined {
  const file = path.join(dir, 'build.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warn({ file, err: (err as Error).message }, 'agent build.json unreadable; its executables are not served');
    return undefined;
  }
  const b = raw as Partial<BuildJson>;
  if (typeof b.version !== 'string' || !VERSION_RE.test(b.version) || !Array.isArray(b.artifacts)) {
    logger.warn({ file }, 'agent build.json has no valid version or artifacts; its executables are not served');
    return undefined;
  }
  return b as BuildJson;
}

/** Loads and signs the executables listed in each directory's build.json. */
export function loadAgentArtifacts(opts: { dirs: readonly string[]; key: SigningKey; serverVersion: string; logger: Logger }): AgentArtifacts {
  const list: ServedArtifact[] = [];
  for (const dir of opts.dirs) {
    const build = readBuildJson(dir, opts.logger);
    if (!build) continue;
    for (const a of build.artifacts) {
      const filePath = path.join(dir, path.basename(String(a.file)));
      const size = fs.statSync(filePath, { throwIfNoEntry: false })?.size;
      if (!isAgentPlatform(String(a.platform)) || typeof a.sha256 !== 'string' || !SHA256_RE.test(a.sha256) || size === undefined || size !== a.size) {
        opts.logger.warn(
          { dir, platform: a.platform, file: a.file, size, expectedSize: a.size },
          'agent executable missing, unknown or not the size build.json says; not served',
        );
        continue;
      }
      const platform = a.platform as AgentPlatform;
      if (list.some((x) => x.version === build.version && x.platform === platform)) continue;
      list.push({
        version: build.version,
        platform,
        size,
        sha256: a.sha256,
        signature: opts.key.sign('agent-artifact', [build.version, platform, a.sha256]),
        url: AGENT_DIST_PATHS.download(build.version, platform),
        filePath,
      });
    }
  }
  const signingKey = { algorithm: 'Ed25519' as const, publicKey: opts.key.publicKey, keyId: opts.key.keyId };
  return {
    manifest: () => ({
      v: 1,
      serverVersion: opts.serverVersion,
      signingKey,
      artifacts: list.map(({ filePath: _f, ...a }) => a),
    }),
    find: (version, platform) => list.find((a) => a.version === version && a.platform === platform),
    versions: (platform) => list.filter((a) => a.platform === platform).map((a) => a.version),
  };
}
