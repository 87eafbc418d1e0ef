/** /api/oncall: who is on call now and next, schedules with their layers, shifts and overrides. */
import { Router } from 'express';
import { z } from 'zod';
import { overrideInputSchema, scheduleInputSchema } from '../../shared/notify-types.js';
import { parseInput, parsePatch } from '../http/errors.js';
import { requireRole } from '../auth/sessions.js';
import type { ApiContext } from './context.js';

const rangeSchema = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) }).strict();

/** Routes under /api/oncall. Viewers read; technicians and admins change. */
export function onCallRoutes(ctx: ApiContext): Router {
  const r = Router();
  const svc = ctx.notify.onCallService;
  const edit = requireRole('admin', 'technician');

  r.get('/now', (_req, res) => {
    res.json(svc.now());
  });
  r.get('/schedules', (_req, res) => {
    res.json(svc.listSchedules());
  });
  r.post('/schedules', edit, (req, res) => {
    res.status(201).json(svc.createSchedule(parseInput(scheduleInputSchema, req.body), req.user!.username));
  });
  r.get('/schedules/:id', (req, res) => {
    res.json(svc.getSchedule(req.params.id));
  });
  r.patch('/schedules/:id', edit, (req, res) => {
    res.json(svc.updateSchedule(String(req.params.id), parsePatch(scheduleInputSchema, req.body), req.user!.username));
  });
  r.delete('/schedules/:id', edit, (req, res) => {
    svc.deleteSchedule(String(req.params.id));
    res.status(204).end();
  });
  r.get('/schedules/:id/shifts', (req, res) => {
    const q = parseInput(rangeSchema, req.query, 'query');
    res.json(svc.shifts(String(req.params.id), q.from, q.to));
  });
  r.get('/schedules/:id/overrides', (req, res) => {
    res.json(svc.listOverrides(String(req.params.id)));
  });
  r.post('/schedules/:id/overrides', edit, (req, res) => {
    res.status(201).json(svc.addOverride(String(req.params.id), parseInput(overrideInputSchema, req.body), req.user!.username));
  });
  r.delete('/schedules/:id/overrides/:overrideId', edit, (req, res) => {
    svc.deleteOverride(String(req.params.id), String(req.params.overrideId));
    res.status(204).end();
  });
  return r;
}
