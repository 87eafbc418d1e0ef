/** /api/enrollment-tokens/:id: revoke an enrollment token (listing is per client, under /api/clients). */
import { Router } from 'express';
import { HttpError } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

export function enrollmentTokenRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.delete('/:id', requireRole('admin', 'technician'), (req, res) => {
    const info = ctx.audit.audited(actorOf(req), (record) => {
      const info = ctx.clients.revokeEnrollmentToken(String(req.params.id), ctx.now());
      if (!info) throw new HttpError(404, 'ENROLLMENT_TOKEN_NOT_FOUND', `no enrollment token with id ${String(req.params.id)}`);
      record({
        action: 'enrollment-token.revoke',
        entityType: 'enrollment-token',
        entityId: info.id,
        summary: `revoked enrollment token ${info.label ? `"${info.label}"` : info.id}`,
        detail: { clientId: info.clientId },
      });
      return info;
    });
    // Devices enrolled with it keep their own credentials; only new enrollments are refused.
    ctx.logger.info({ tokenId: info.id, clientId: info.clientId, userId: req.user?.id }, 'enrollment token revoked');
    res.json(info);
  });
  return r;
}
