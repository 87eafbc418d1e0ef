/**
 * Public (no session) routes of agent distribution: the signing key, the signed manifest and the
 * executables. Nothing here is secret: an executable holds no credential, and the key is public.
 */
import { Router } from 'express';
import { AGENT_PLATFORMS, isAgentPlatform } from '../../shared/agent-dist.js';
import { HttpError } from '../lib/errors.js';
import type { AgentArtifacts } from './artifacts.js';
import { renderInstallSh } from './install-sh.js';
import { renderInstallPs1 } from './install-ps1.js';

/** GET /install.sh and GET /install.ps1, generated for the URL agents reach this server at (QP_PUBLIC_URL). */
export function installScriptRoutes(artifacts: AgentArtifacts, serverUrl: () => string): Router {
  const r = Router();
  r.get('/install.sh', (_req, res) => {
    const m = artifacts.manifest();
    const text = renderInstallSh({
      serverUrl: serverUrl().replace(/\/+$/, ''),
      publicKey: m.signingKey.publicKey,
      artifacts: m.artifacts,
      serverVersion: m.serverVersion,
    });
    res.set('cache-control', 'no-cache').type('text/x-shellscript; charset=utf-8').send(text);
  });
  r.get('/install.ps1', (_req, res) => {
    const m = artifacts.manifest();
    const text = renderInstallPs1({
      serverUrl: serverUrl().replace(/\/+$/, ''),
      publicKey: m.signingKey.publicKey,
      artifacts: m.artifacts,
      serverVersion: m.serverVersion,
    });
    res.set('cache-control', 'no-cache').type('text/plain; charset=utf-8').send(text);
  });
  return r;
}

/** Routes under /agent. */
export function agentDistRoutes(artifacts: AgentArtifacts): Router {
  const r = Router();
  r.get('/signing-key', (_req, res) => {
    res.set('cache-control', 'no-cache').json(artifacts.manifest().signingKey);
  });
  r.get('/manifest.json', (_req, res) => {
    res.set('cache-control', 'no-cache').json(artifacts.manifest());
  });
  r.get('/download/:version/:platform', (req, res, next) => {
    const { version, platform } = req.params as { version: string; platform: string };
    if (!isAgentPlatform(platform)) {
      throw new HttpError(404, 'PLATFORM_UNSUPPORTED', `no agent is built for platform "${platform.slice(0, 40)}"; supported: ${AGENT_PLATFORMS.join(', ')}`);
    }
    const artifact = artifacts.find(version, platform);
    if (!artifact) {
      const have = artifacts.versions(platform);
      throw new HttpError(
        404,
        'ARTIFACT_NOT_FOUND',
        `this server has no agent ${version.slice(0, 50)} for ${platform}; ${have.length ? `available: ${have.join(', ')}` : 'no executables are installed on this server (npm run build:agent)'}`,
      );
    }
    res.set({
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${artifact.filePath.split(/[\\/]/).pop()}"`,
      'x-quarkpulse-sha256': artifact.sha256,
      'x-quarkpulse-signature': artifact.signature,
      'cache-control': 'no-cache',
    });
    res.sendFile(artifact.filePath, { dotfiles: 'allow', headers: {} }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  });
  return r;
}
