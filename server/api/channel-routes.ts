/** /api/channels: notification channels (secrets masked), their types, and a test send. */
import { Router } from 'express';
import { z } from 'zod';
import { channelInputSchema } from '../../shared/notify-types.js';
import { parseInput, parsePatch } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
import type { ApiContext } from './context.js';

const testSchema = z.object({ to: z.string().trim().min(1).max(320).optional() }).strict();

/** Routes under /api/channels. Viewers read; technicians and admins change and test. */
export function channelRoutes(ctx: ApiContext): Router {
  const r = Router();
  const svc = ctx.notify.channelService;
  const edit = requireRole('admin', 'technician');

  r.get('/', (_req, res) => {
    res.json(svc.list());
  });
  r.get('/types', (_req, res) => {
    res.json(svc.types());
  });
  r.post('/', edit, (req, res) => {
    const input = parseInput(channelInputSchema, req.body);
    const created = svc.create(input, actorOfRequest(req));
    ctx.setup.warnIfLinksLocal(ctx.baseUrl());
    res.status(201).json(created);
  });
  r.get('/:id', (req, res) => {
    res.json(svc.get(req.params.id));
  });
  r.patch('/:id', edit, (req, res) => {
    const patch = parsePatch(channelInputSchema, req.body);
    res.json(svc.update(String(req.params.id), patch, actorOfRequest(req)));
  });
  r.delete('/:id', edit, (req, res) => {
    svc.remove(String(req.params.id), actorOfRequest(req));
    res.status(204).end();
  });
  r.post('/:id/test', edit, async (req, res) => {
    const { to } = parseInput(testSchema, req.body ?? {});
    res.json(await svc.test(String(req.params.id), req.user!, to));
  });
  return r;
}
