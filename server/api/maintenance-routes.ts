/** /api/maintenance: one-off and weekly recurring maintenance windows of clients and devices. */
import { Router } from 'express';
import { z } from 'zod';
import { maintenanceInputSchema } from '../../shared/alert-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
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
    res.status(201).json(service.create(input, actorOfRequest(req)));
  });

  r.put('/:id', act, (req, res) => {
    const input = parseInput(maintenanceInputSchema, req.body);
    res.json(service.replace(String(req.params.id), input, actorOfRequest(req)));
  });

  r.delete('/:id', act, (req, res) => {
    service.delete(String(req.params.id), actorOfRequest(req));
    res.status(204).end();
  });
  return r;
}
