/** /api/alerts: list and filter, read one with its audit trail, acknowledge, resolve, assign, comment (server/alerting/alert-actions.ts). */
import { Router } from 'express';
import { z } from 'zod';
import { SEVERITIES } from '../../shared/alert-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
import type { ApiContext } from './context.js';

const listQuerySchema = z
  .object({
    state: z.enum(['firing', 'acknowledged', 'resolved', 'open']).optional(),
    client: z.string().max(64).optional(),
    device: z.string().max(64).optional(),
    severity: z.enum(SEVERITIES).optional(),
    rule: z.string().max(64).optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const noteSchema = z.object({ note: z.string().trim().min(1).max(2000).optional() }).strict();
const assignSchema = z.object({ assignee: z.string().min(1).max(100).nullable() }).strict();
const commentSchema = z.object({ text: z.string().trim().min(1).max(5000) }).strict();

/** Routes under /api/alerts. Viewers read; technicians and admins act. */
export function alertRoutes(ctx: ApiContext): Router {
  const r = Router();
  const { alerts, alertActions } = ctx.alerting;
  const act = requireRole('admin', 'technician');

  r.get('/', (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'query');
    res.json(
      alerts.list({ state: q.state, clientId: q.client, deviceId: q.device, severity: q.severity, ruleId: q.rule, fromMs: q.from, toMs: q.to, limit: q.limit }),
    );
  });

  r.get('/:id', (req, res) => {
    res.json(alertActions.detail(req.params.id));
  });

  r.post('/:id/acknowledge', act, (req, res) => {
    const { note } = parseInput(noteSchema, req.body ?? {});
    res.json(alertActions.acknowledge(String(req.params.id), actorOfRequest(req), note ?? null));
  });

  r.post('/:id/resolve', act, (req, res) => {
    const { note } = parseInput(noteSchema, req.body ?? {});
    res.json(alertActions.resolve(String(req.params.id), actorOfRequest(req), note ?? null));
  });

  r.post('/:id/assign', act, (req, res) => {
    const { assignee } = parseInput(assignSchema, req.body);
    res.json(alertActions.assign(String(req.params.id), actorOfRequest(req), assignee));
  });

  r.post('/:id/comments', act, (req, res) => {
    const { text } = parseInput(commentSchema, req.body);
    res.status(201).json(alertActions.comment(String(req.params.id), actorOfRequest(req), text));
  });
  return r;
}
