/** POST /api/enroll: exchanges an enrollment token for a device credential (no session). */
import { Router } from 'express';
import { enrollRequestSchema, type EnrollResponse } from '../../shared/protocol.js';
import { parseInput } from '../lib/errors.js';
import { attemptLimiter } from '../http/rate-limits.js';
import type { ApiContext } from './context.js';

export function enrollRoutes(ctx: ApiContext): Router {
  const r = Router();
  const limiter = attemptLimiter({ windowMs: 60_000, limit: 60, message: 'too many enrollment attempts; wait a minute' });
  r.post('/', limiter, (req, res) => {
    const input = parseInput(enrollRequestSchema, req.body);
    const { device, isNew, clientId, deviceToken } = ctx.fleet.devices.enroll(input);
    ctx.logger.info({ deviceId: device.id, clientId, hostname: input.hostname, isNew }, 'device enrolled');
    // The agent pins these keys at enrollment: from then on it runs only jobs signed by the job key
    // and installs only executables signed by the artifact key.
    const signingKey = ctx.signingKey ? { algorithm: 'Ed25519' as const, publicKey: ctx.signingKey.publicKey, keyId: ctx.signingKey.keyId } : undefined;
    res.status(isNew ? 201 : 200).json({
      deviceId: device.id,
      deviceToken,
      clientId,
      jobSigningKey: ctx.jobSigner.publicKey,
      ...(signingKey ? { signingKey } : {}),
    } satisfies EnrollResponse);
  });
  return r;
}
