/**
 * What the server publishes about its agent executables (GET /agent/manifest.json,
 * GET /agent/signing-key, GET /agent/download/<version>/<platform>). docs/DEPLOYMENT.md.
 */

/** Platforms an agent executable is built for (`npm run build:agent`). */
export const AGENT_PLATFORMS = ['linux-x64', 'linux-arm64', 'windows-x64'] as const;
export type AgentPlatform = (typeof AGENT_PLATFORMS)[number];

/** True for a platform name we build for. */
export function isAgentPlatform(s: string): s is AgentPlatform {
  return (AGENT_PLATFORMS as readonly string[]).includes(s);
}

/** One executable in the manifest. `signature` is Ed25519 over artifactSigningMessage (server/signing/signing-message.ts). */
export interface AgentArtifact {
  version: string;
  platform: AgentPlatform;
  /** File size, bytes. */
  size: number;
  /** Lowercase hex sha256 of the file. */
  sha256: string;
  /** base64 Ed25519 signature of (version, platform, sha256). */
  signature: string;
  /** Path on this server to download it from. */
  url: string;
}

/** GET /agent/manifest.json. */
export interface AgentManifest {
  v: 1;
  /** Server version; also the agent version the server wants by default. */
  serverVersion: string;
  signingKey: AgentSigningKeyInfo;
  artifacts: AgentArtifact[];
}

/** GET /agent/signing-key, and `signingKey` of the enrollment answer. */
export interface AgentSigningKeyInfo {
  algorithm: 'Ed25519';
  /** base64 of the raw 32-byte public key. */
  publicKey: string;
  /** First 16 hex digits of sha256(raw public key). */
  keyId: string;
}

/** Paths of the distribution routes. */
export const AGENT_DIST_PATHS = {
  manifest: '/agent/manifest.json',
  signingKey: '/agent/signing-key',
  download: (version: string, platform: string) => `/agent/download/${encodeURIComponent(version)}/${encodeURIComponent(platform)}`,
} as const;
