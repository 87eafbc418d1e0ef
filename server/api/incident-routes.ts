/** /api/incidents: list, read, open by hand, close, bill, comment, and book time. */
import { Router } from 'express';
import { z } from 'zod';
import { SEVERITIES } from '../../shared/alert-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
import { timeEntryInputSchema } from './time-entry-input.js';
import type { ApiContext } from './context.js';

const listQuerySchema = z
  .object({
    state: z.enum(['open', 'closed', 'billed']).optional(),
    client: z.string().max(64).optional(),
    device: z.string().max(64).optional(),
    severity: z.enum(SEVERITIES).optional(),
    from: z.coerce.number().int().min(0).optional(),
    to: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();

const openSchema = z
  .object({
    clientId: z.string().min(1).max(64),
    deviceId: z.string().min(1).max(64).optional(),
    title: z.string().trim().min(1).max(500),
    severity: z.enum(SEVERITIES).default('warning'),
  })
  .strict();

const noteSchema = z.object({ note: z.string().trim().min(1).max(2000).optional() }).strict();
const commentSchema = z.object({ text: z.string().trim().min(1).max(5000) }).strict();

/** Routes under /api/incidents. Viewers read; technicians and admins act. */
export function incidentRoutes(ctx: ApiContext): Router {
  const r = Router();
  const { incidents, incidentActions } = ctx.alerting;
  const act = requireRole('admin', 'technician');

  r.get('/', (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'query');
    res.json(incidents.list({ state: q.state, clientId: q.client, deviceId: q.device, severity: q.severity, fromMs: q.from, toMs: q.to, limit: q.limit }));
  });

  r.post('/', act, (req, res) => {
    const input = parseInput(openSchema, req.body);
    res.status(201).json(incidentActions.open(input, actorOfRequest(req)));
  });

  r.get('/:id', (req, res) => {
    res.json(incidentActions.detail(req.params.id));
  });

  r.post('/:id/close', act, (req, res) => {
    const { note } = parseInput(noteSchema, req.body ?? {});
    res.json(incidentActions.close(String(req.params.id), actorOfRequest(req), note ?? null));
  });

  r.post('/:id/bill', act, (req, res) => {
    parseInput(z.object({}).strict(), req.body ?? {});
    res.json(incidentActions.bill(String(req.params.id), actorOfRequest(req)));
  });

  r.post('/:id/comments', act, (req, res) => {
    const { text } = parseInput(commentSchema, req.body);
    res.status(201).json(incidentActions.comment(String(req.params.id), actorOfRequest(req), text));
  });

  r.get('/:id/time-entries', (req, res) => {
    res.json(incidentActions.detail(req.params.id).timeEntries);
  });

  r.post('/:id/time-entries', act, (req, res) => {
    const input = parseInput(timeEntryInputSchema, req.body);
    res.status(201).json(incidentActions.addTime(String(req.params.id), actorOfRequest(req), input));
  });

  r.delete('/:id/time-entries/:entryId', act, (req, res) => {
    incidentActions.removeTime(String(req.params.id), String(req.params.entryId), actorOfRequest(req));
    res.status(204).end();
  });
  return r;
}
