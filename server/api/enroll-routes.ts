/** POST /api/enroll: exchanges an enrollment token for a device credential (no session). */
import { Router } from 'express';
import { AgentErrorCode, enrollRequestSchema, type EnrollResponse } from '../../shared/protocol.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { generateToken } from '../lib/secrets.js';
import { attemptLimiter } from '../http/rate-limits.js';
import type { ApiContext } from './context.js';

export function enrollRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = attemptLimiter({ windowMs: 60_000, limit: 60, message: 'too many enrollment attempts; wait a minute' });
  r.post('/', limiter, (req, res) => {
    const input = parseInput(enrollRequestSchema, req.body);
    const now = ctx.now();
    const resolved = ctx.clients.resolveEnrollmentToken(input.token, now);
    if (!resolved) {
      throw new HttpError(401, AgentErrorCode.ENROLLMENT_TOKEN_INVALID, 'enrollment token is unknown, expired or revoked');
    }
    const machine = input.machineId ? ctx.devices.findByMachine(resolved.clientId, input.machineId) : undefined;
    if (machine?.isDisabled) {
      throw new HttpError(403, AgentErrorCode.DEVICE_DISABLED, `device ${machine.id} (${machine.hostname}) is disabled; enable it before enrolling it again`);
    }
    const deviceToken = generateToken('qpd');
    ctx.clients.markEnrollmentTokenUsed(resolved.tokenId, now);
    const { device, isNew } = ctx.devices.enroll(
      { clientId: resolved.clientId, hostname: input.hostname, machineId: input.machineId, facts: input.facts, deviceToken },
      now,
    );
    ctx.logger.info({ deviceId: device.id, clientId: resolved.clientId, hostname: input.hostname, isNew }, 'device enrolled');
    // The agent pins these keys at enrollment: from then on it runs only jobs signed by the job key
    // and installs only executables signed by the artifact key.
    const signingKey = ctx.signingKey ? { algorithm: 'Ed25519' as const, publicKey: ctx.signingKey.publicKey, keyId: ctx.signingKey.keyId } : undefined;
    res.status(isNew ? 201 : 200).json({
      deviceId: device.id,
      deviceToken,
      clientId: resolved.clientId,
      jobSigningKey: ctx.jobSigner.publicKey,
      ...(signingKey ? { signingKey } : {}),
    } satisfies EnrollResponse);
  });
  return r;
}
