/** /api/oncall: who is on call now and next, schedules with their layers, shifts and overrides. */
import { Router } from 'express';
import { z } from 'zod';
import { overrideInputSchema, scheduleInputSchema, targetSchema } from '../../shared/notify-types.js';
import { HttpError, parseInput, parsePatch } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOfRequest } from './actor.js';
import type { ApiContext } from './context.js';

const rangeSchema = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) }).strict();

const gapsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(31).default(7) }).strict();

/** Routes under /api/oncall. Viewers read; technicians and admins change. */
export function onCallRoutes(ctx: ApiContext): Router {
  const r = Router();
  const svc = ctx.notify.onCallService;
  const edit = requireRole('admin', 'technician');

  r.get('/now', (_req, res) => {
    res.json(svc.now());
  });
  r.get('/gaps', (req, res) => {
    const q = parseInput(gapsQuerySchema, req.query, 'query');
    res.json(svc.gaps(q.days));
  });
  r.post('/test-page', async (req, res) => {
    // An API token is no person with contact points.
    const me = ctx.users.findById(req.user!.id);
    if (!me) throw new HttpError(400, 'TEST_PAGE_UNREACHABLE', 'an API token has no contact points; sign in as a person to test your pages');
    const result = await ctx.notify.channelService.testPage(me);
    res.json(result);
  });
  r.get('/fallback', (_req, res) => {
    res.json(svc.getFallback());
  });
  r.put('/fallback', requireRole('admin'), (req, res) => {
    const input = parseInput(z.object({ target: targetSchema }).strict(), req.body);
    res.json(svc.setFallback(input.target, actorOfRequest(req)));
  });
  r.get('/grouping', (_req, res) => {
    res.json(svc.getGrouping());
  });
  r.put('/grouping', requireRole('admin'), (req, res) => {
    const input = parseInput(z.object({ windowSeconds: z.number().int().min(0).max(600) }).strict(), req.body);
    res.json(svc.setGrouping(input.windowSeconds, actorOfRequest(req)));
  });
  r.get('/schedules', (_req, res) => {
    res.json(svc.listSchedules());
  });
  r.post('/schedules', edit, (req, res) => {
    const input = parseInput(scheduleInputSchema, req.body);
    res.status(201).json(svc.createSchedule(input, actorOfRequest(req)));
  });
  r.get('/schedules/:id', (req, res) => {
    res.json(svc.getSchedule(req.params.id));
  });
  r.patch('/schedules/:id', edit, (req, res) => {
    const patch = parsePatch(scheduleInputSchema, req.body);
    res.json(svc.updateSchedule(String(req.params.id), patch, actorOfRequest(req)));
  });
  r.delete('/schedules/:id', edit, (req, res) => {
    svc.deleteSchedule(String(req.params.id), actorOfRequest(req));
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
    const input = parseInput(overrideInputSchema, req.body);
    res.status(201).json(svc.addOverride(String(req.params.id), input, actorOfRequest(req)));
  });
  r.delete('/schedules/:id/overrides/:overrideId', edit, (req, res) => {
    svc.deleteOverride(String(req.params.id), String(req.params.overrideId), actorOfRequest(req));
    res.status(204).end();
  });
  return r;
}
