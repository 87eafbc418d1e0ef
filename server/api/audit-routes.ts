/** GET /api/audit (admins): the audit log, newest first, one page at a time. */
import { Router } from 'express';
import { z } from 'zod';
import type { AuditPage } from '../../shared/api-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import type { ApiContext } from './context.js';

const querySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    /** The previous page's nextBefore. */
    before: z.coerce.number().int().min(1).optional(),
    /** Actor id or name. */
    actor: z.string().min(1).max(200).optional(),
    entityType: z.string().min(1).max(50).optional(),
    entityId: z.string().min(1).max(200).optional(),
  })
  .strict();

export function auditRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', requireRole('admin'), (req, res) => {
    const q = parseInput(querySchema, req.query, 'query');
    res.json(ctx.audit.page({ limit: q.limit, beforeId: q.before, actor: q.actor, entityType: q.entityType, entityId: q.entityId }) satisfies AuditPage);
  });
  return r;
}
