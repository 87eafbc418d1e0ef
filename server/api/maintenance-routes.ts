/** /api/maintenance: one-off and weekly recurring maintenance windows of clients and devices. */
import { Router } from 'express';
import { z } from 'zod';
import { maintenanceInputSchema } from '../../shared/alert-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { changedFields, actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const listQuerySchema = z.object({ client: z.string().max(64).optional(), device: z.string().max(64).optional() }).strict();

/** Routes under /api/maintenance. Viewers read; technicians and admins change windows. */
export function maintenanceRoutes(ctx: ApiContext): Router {
  const r = Router();
  const service = ctx.alerting.maintenanceService;
  const act = requireRole('admin', 'technician');

  r.get('/', (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'query');
    res.json(service.list({ clientId: q.client, deviceId: q.device }));
  });

  r.get('/:id', (req, res) => {
    res.json(service.get(req.params.id));
  });

  r.post('/', act, (req, res) => {
    const input = parseInput(maintenanceInputSchema, req.body);
    const w = ctx.audit.audited(actorOf(req), (record) => {
      const w = service.create(input, req.user!.username);
      record({
        action: 'maintenance.create',
        entityType: 'maintenance',
        entityId: w.id,
        summary: `created maintenance window "${w.name}"`,
        detail: { window: input },
      });
      return w;
    });
    res.status(201).json(w);
  });

  r.put('/:id', act, (req, res) => {
    const id = String(req.params.id);
    const input = parseInput(maintenanceInputSchema, req.body);
    const w = ctx.audit.audited(actorOf(req), (record) => {
      const before = service.get(id);
      const after = service.replace(id, input);
      record({
        action: 'maintenance.update',
        entityType: 'maintenance',
        entityId: id,
        summary: `changed maintenance window "${after.name}"`,
        detail: { changes: changedFields(before, after, Object.keys(input)) },
      });
      return after;
    });
    res.json(w);
  });

  r.delete('/:id', act, (req, res) => {
    const id = String(req.params.id);
    ctx.audit.audited(actorOf(req), (record) => {
      const before = service.get(id);
      service.delete(id);
      record({ action: 'maintenance.delete', entityType: 'maintenance', entityId: id, summary: `deleted maintenance window "${before.name}"` });
    });
    res.status(204).end();
  });
  return r;
}
