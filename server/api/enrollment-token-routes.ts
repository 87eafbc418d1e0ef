/** /api/enrollment-tokens/:id: revoke an enrollment token (listing is per client, under /api/clients). */
import { Router } from 'express';
import { requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

export function enrollmentTokenRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.delete('/:id', requireRole('admin', 'technician'), (req, res) => {
    const info = ctx.fleet.clients.revokeEnrollmentToken(actorOf(req), String(req.params.id));
    // Devices enrolled with it keep their own credentials; only new enrollments are refused.
    ctx.logger.info({ tokenId: info.id, clientId: info.clientId, userId: req.user?.id }, 'enrollment token revoked');
    res.json(info);
  });
  return r;
}
