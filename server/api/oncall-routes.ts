/** /api/oncall: who is on call now and next, schedules with their layers, shifts and overrides. */
import { Router } from 'express';
import { z } from 'zod';
import { overrideInputSchema, scheduleInputSchema, targetSchema } from '../../shared/notify-types.js';
import { HttpError, parseInput, parsePatch } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOf, changedFields } from '../audit/audit-log.js';
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
    ctx.audit.record(actorOf(req), {
      action: 'oncall.test-page',
      entityType: 'user',
      entityId: me.id,
      summary: `sent a test page to ${me.username} (${result.results.length} contact point${result.results.length === 1 ? '' : 's'})`,
      detail: { ok: result.ok },
    });
    res.json(result);
  });
  r.get('/fallback', (_req, res) => {
    res.json(svc.getFallback());
  });
  r.put('/fallback', requireRole('admin'), (req, res) => {
    const input = parseInput(z.object({ target: targetSchema }).strict(), req.body);
    const answer = ctx.audit.audited(actorOf(req), (record) => {
      const out = svc.setFallback(input.target);
      record({
        action: 'oncall.fallback',
        entityType: 'oncall',
        entityId: 'fallback',
        summary: `set the on-call fallback to ${input.target.type}`,
        detail: { target: input.target },
      });
      return out;
    });
    res.json(answer);
  });
  r.get('/schedules', (_req, res) => {
    res.json(svc.listSchedules());
  });
  r.post('/schedules', edit, (req, res) => {
    const input = parseInput(scheduleInputSchema, req.body);
    const s = ctx.audit.audited(actorOf(req), (record) => {
      const s = svc.createSchedule(input, req.user!.username);
      record({
        action: 'schedule.create',
        entityType: 'schedule',
        entityId: s.id,
        summary: `created on-call schedule "${s.name}"`,
        detail: { schedule: input },
      });
      return s;
    });
    res.status(201).json(s);
  });
  r.get('/schedules/:id', (req, res) => {
    res.json(svc.getSchedule(req.params.id));
  });
  r.patch('/schedules/:id', edit, (req, res) => {
    const id = String(req.params.id);
    const patch = parsePatch(scheduleInputSchema, req.body);
    const s = ctx.audit.audited(actorOf(req), (record) => {
      const before = svc.getSchedule(id);
      const after = svc.updateSchedule(id, patch, req.user!.username);
      const changes = changedFields(before, after, ['name', 'timezone', 'layers']);
      if (Object.keys(changes).length > 0)
        record({
          action: 'schedule.update',
          entityType: 'schedule',
          entityId: id,
          summary: `changed on-call schedule "${after.name}": ${Object.keys(changes).join(', ')}`,
          detail: { changes },
        });
      return after;
    });
    res.json(s);
  });
  r.delete('/schedules/:id', edit, (req, res) => {
    const id = String(req.params.id);
    ctx.audit.audited(actorOf(req), (record) => {
      const before = svc.getSchedule(id);
      svc.deleteSchedule(id);
      record({ action: 'schedule.delete', entityType: 'schedule', entityId: id, summary: `deleted on-call schedule "${before.name}"` });
    });
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
    const id = String(req.params.id);
    const input = parseInput(overrideInputSchema, req.body);
    const o = ctx.audit.audited(actorOf(req), (record) => {
      const o = svc.addOverride(id, input, req.user!.username);
      const who = ctx.users.findById(input.userId)?.username ?? input.userId;
      record({
        action: 'schedule.override-add',
        entityType: 'schedule',
        entityId: id,
        summary: `put ${who} on call in "${svc.getSchedule(id).name}" from ${new Date(input.startsAtMs).toISOString()} to ${new Date(input.endsAtMs).toISOString()}`,
        detail: { overrideId: o.id, ...input },
      });
      return o;
    });
    res.status(201).json(o);
  });
  r.delete('/schedules/:id/overrides/:overrideId', edit, (req, res) => {
    const id = String(req.params.id);
    const overrideId = String(req.params.overrideId);
    ctx.audit.audited(actorOf(req), (record) => {
      svc.deleteOverride(id, overrideId);
      record({
        action: 'schedule.override-delete',
        entityType: 'schedule',
        entityId: id,
        summary: `removed an override from on-call schedule "${svc.getSchedule(id).name}"`,
        detail: { overrideId },
      });
    });
    res.status(204).end();
  });
  return r;
}
