/** /api/channels: notification channels (secrets masked), their types, and a test send. */
import { Router } from 'express';
import { z } from 'zod';
import { channelInputSchema } from '../../shared/notify-types.js';
import { parseInput, parsePatch } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOf, changedFields } from '../audit/audit-log.js';
import { HttpError } from '../lib/errors.js';
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
  // Views are masked (server/notify/channels/registry.ts), so audit details never hold a secret.
  r.post('/', edit, (req, res) => {
    const input = parseInput(channelInputSchema, req.body);
    const c = ctx.audit.audited(actorOf(req), (record) => {
      const c = svc.create(input, req.user!.username);
      record({
        action: 'channel.create',
        entityType: 'channel',
        entityId: c.id,
        summary: `created ${c.type} channel "${c.name}"`,
        detail: { type: c.type, config: c.config, isEnabled: c.isEnabled },
      });
      return c;
    });
    res.status(201).json(c);
  });
  r.get('/:id', (req, res) => {
    res.json(svc.get(req.params.id));
  });
  r.patch('/:id', edit, (req, res) => {
    const id = String(req.params.id);
    const patch = parsePatch(channelInputSchema, req.body);
    const c = ctx.audit.audited(actorOf(req), (record) => {
      const before = svc.get(id);
      const after = svc.update(id, patch, req.user!.username);
      const changes = changedFields(before, after, ['name', 'isEnabled', 'config']);
      // A secret sent again masked compares equal; one replaced shows only as "changed".
      if (patch.config !== undefined && changes.config === undefined && JSON.stringify(patch.config) !== JSON.stringify(before.config))
        changes.config = { from: before.config, to: after.config };
      if (Object.keys(changes).length > 0)
        record({
          action: 'channel.update',
          entityType: 'channel',
          entityId: id,
          summary: `changed channel "${after.name}": ${Object.keys(changes).join(', ')}`,
          detail: { changes },
        });
      return after;
    });
    res.json(c);
  });
  r.delete('/:id', edit, (req, res) => {
    const id = String(req.params.id);
    ctx.audit.audited(actorOf(req), (record) => {
      const before = svc.get(id);
      svc.remove(id);
      record({ action: 'channel.delete', entityType: 'channel', entityId: id, summary: `deleted ${before.type} channel "${before.name}"` });
    });
    res.status(204).end();
  });
  r.post('/:id/test', edit, async (req, res) => {
    const { to } = parseInput(testSchema, req.body ?? {});
    const id = String(req.params.id);
    const name = svc.get(id).name;
    // The send is awaited, so its entry is written after it (outcome included) rather than in one transaction.
    try {
      const result = await svc.test(id, req.user!, to);
      ctx.audit.record(actorOf(req), {
        action: 'channel.test',
        entityType: 'channel',
        entityId: id,
        summary: `sent a test message through "${name}"`,
        detail: { ok: true, deliveryId: result.deliveryId },
      });
      res.json(result);
    } catch (err) {
      if (err instanceof HttpError && err.code === 'CHANNEL_TEST_FAILED') {
        ctx.audit.record(actorOf(req), {
          action: 'channel.test',
          entityType: 'channel',
          entityId: id,
          summary: `test message through "${name}" failed`,
          detail: { ok: false },
        });
      }
      throw err;
    }
  });
  return r;
}
