/**
 * /api/notifications: every delivery with its attempts (filter `status=dead` for dead letters),
 * retry of a dead one, counts per status, and the break-fix digest settings.
 */
import { Router } from 'express';
import { z } from 'zod';
import { digestSettingsSchema } from '../../shared/notify-types.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const listQuerySchema = z
  .object({
    status: z.enum(['pending', 'sending', 'sent', 'dead']).optional(),
    alert: z.string().max(64).optional(),
    purpose: z.enum(['page', 'update', 'dead-letter', 'digest', 'test']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

/** Routes under /api/notifications. Viewers read; technicians and admins retry; admins set the digest. */
export function notificationRoutes(ctx: ApiContext): Router {
  const r = Router();
  const { deliveries } = ctx.notify;

  r.get('/', (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'query');
    res.json(deliveries.list({ status: q.status, alertId: q.alert, purpose: q.purpose, limit: q.limit }));
  });
  r.get('/summary', (_req, res) => {
    res.json(deliveries.counts());
  });
  r.get('/digest', (_req, res) => {
    res.json(ctx.notify.digest.settings());
  });
  r.put('/digest', requireRole('admin'), (req, res) => {
    const s = parseInput(digestSettingsSchema, req.body);
    res.json(ctx.notify.digest.update(s, actorOf(req)));
  });
  r.get('/:id', (req, res) => {
    const d = deliveries.findById(Number(req.params.id));
    if (!d) throw new HttpError(404, 'DELIVERY_NOT_FOUND', `no delivery with id ${req.params.id}`);
    res.json(d);
  });
  r.post('/:id/retry', requireRole('admin', 'technician'), (req, res) => {
    const id = Number(req.params.id);
    ctx.notify.retryDead(id, actorOf(req));
    ctx.logger.info({ deliveryId: id, by: req.user!.username }, 'dead delivery queued again');
    res.json(deliveries.findById(id));
  });
  return r;
}
