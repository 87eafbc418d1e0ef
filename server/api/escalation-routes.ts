/** /api/escalation-policies: ordered levels of targets, repeats, the default and per-client policies. */
import { Router } from 'express';
import { policyInputSchema } from '../../shared/notify-types.js';
import { parseInput, parsePatch } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { changedFields, actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

/** Routes under /api/escalation-policies. Viewers read; technicians and admins change. */
export function escalationRoutes(ctx: ApiContext): Router {
  const r = Router();
  const svc = ctx.notify.onCallService;
  const edit = requireRole('admin', 'technician');

  r.get('/', (_req, res) => {
    res.json(svc.listPolicies());
  });
  r.post('/', edit, (req, res) => {
    const input = parseInput(policyInputSchema, req.body);
    const p = ctx.audit.audited(actorOf(req), (record) => {
      const p = svc.createPolicy(input, req.user!.username);
      record({
        action: 'escalation-policy.create',
        entityType: 'escalation-policy',
        entityId: p.id,
        summary: `created escalation policy "${p.name}"`,
        detail: { policy: input },
      });
      return p;
    });
    res.status(201).json(p);
  });
  r.get('/:id', (req, res) => {
    res.json(svc.getPolicy(req.params.id));
  });
  r.patch('/:id', edit, (req, res) => {
    const id = String(req.params.id);
    const patch = parsePatch(policyInputSchema, req.body);
    const p = ctx.audit.audited(actorOf(req), (record) => {
      const before = svc.getPolicy(id);
      const after = svc.updatePolicy(id, patch, req.user!.username);
      const changes = changedFields(before, after, ['name', 'levels', 'repeat', 'repeatAfterMs', 'isDefault', 'clientIds']);
      if (Object.keys(changes).length > 0)
        record({
          action: 'escalation-policy.update',
          entityType: 'escalation-policy',
          entityId: id,
          summary: `changed escalation policy "${after.name}": ${Object.keys(changes).join(', ')}`,
          detail: { changes },
        });
      return after;
    });
    res.json(p);
  });
  r.delete('/:id', edit, (req, res) => {
    const id = String(req.params.id);
    ctx.audit.audited(actorOf(req), (record) => {
      const before = svc.getPolicy(id);
      svc.deletePolicy(id);
      record({ action: 'escalation-policy.delete', entityType: 'escalation-policy', entityId: id, summary: `deleted escalation policy "${before.name}"` });
    });
    res.status(204).end();
  });
  return r;
}
