/** /api/rules: list, read, create, change and delete rules; the effective rules of a device. */
import { Router } from 'express';
import { z } from 'zod';
import { ruleInputSchema } from '../../shared/alert-types.js';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { changedFields, actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

/** Bookkeeping fields that change with every write; not worth an audit line. */
const UNAUDITED = new Set(['updatedAtMs', 'updatedBy', 'createdAtMs']);

const listQuerySchema = z
  .object({
    kind: z.string().max(40).optional(),
    scope: z.enum(['global', 'client', 'device']).optional(),
    client: z.string().max(64).optional(),
    device: z.string().max(64).optional(),
  })
  .strict();

/** Routes under /api/rules. Everyone with a session reads; technicians and admins write (see rule-service). */
export function ruleRoutes(ctx: ApiContext): Router {
  const r = Router();
  const service = ctx.alerting.ruleService;
  const actor = (req: { user?: { username: string; role: 'admin' | 'technician' | 'viewer' } }) => ({ username: req.user!.username, role: req.user!.role });

  r.get('/', (req, res) => {
    const q = parseInput(listQuerySchema, req.query, 'query');
    res.json(
      service
        .list()
        .filter(
          (rule) =>
            (q.kind === undefined || rule.kind === q.kind) &&
            (q.scope === undefined || rule.scope.type === q.scope) &&
            (q.client === undefined || (rule.scope.type === 'client' && rule.scope.clientId === q.client)) &&
            (q.device === undefined || (rule.scope.type === 'device' && rule.scope.deviceId === q.device)),
        ),
    );
  });

  r.get('/effective', (req, res) => {
    const q = parseInput(z.object({ device: z.string().min(1).max(64) }).strict(), req.query, 'query');
    res.json(service.effective(q.device));
  });

  r.get('/:id', (req, res) => {
    res.json(service.get(req.params.id));
  });

  r.post('/', requireRole('admin', 'technician'), (req, res) => {
    const input = parseInput(ruleInputSchema, req.body);
    const rule = ctx.audit.audited(actorOf(req), (record) => {
      const rule = service.create(input, actor(req));
      record({
        action: 'rule.create',
        entityType: 'rule',
        entityId: rule.id,
        summary: `created ${rule.scope.type} rule "${rule.name}" (${rule.kind})`,
        detail: { rule },
      });
      return rule;
    });
    res.status(201).json(rule);
  });

  r.patch('/:id', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    const patch = parseInput(ruleInputSchema, req.body);
    const rule = ctx.audit.audited(actorOf(req), (record) => {
      const before = service.get(id);
      const after = service.update(id, patch, actor(req));
      const changes = changedFields(
        before,
        after,
        Object.keys({ ...before, ...after }).filter((k) => !UNAUDITED.has(k)),
      );
      const fields = Object.keys(changes);
      if (fields.length === 0) return after;
      const onlyEnabled = fields.length === 1 && changes.isEnabled !== undefined;
      record({
        action: onlyEnabled ? (after.isEnabled ? 'rule.enable' : 'rule.disable') : 'rule.update',
        entityType: 'rule',
        entityId: id,
        summary: onlyEnabled ? `${after.isEnabled ? 'enabled' : 'disabled'} rule "${after.name}"` : `changed rule "${after.name}": ${fields.join(', ')}`,
        detail: { changes },
      });
      return after;
    });
    res.json(rule);
  });

  r.delete('/:id', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    ctx.audit.audited(actorOf(req), (record) => {
      const before = service.get(id);
      service.delete(id, actor(req));
      record({ action: 'rule.delete', entityType: 'rule', entityId: id, summary: `deleted rule "${before.name}"`, detail: { rule: before } });
    });
    res.status(204).end();
  });
  return r;
}
