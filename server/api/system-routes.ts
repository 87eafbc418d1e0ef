/**
 * /api/system: the server's own health (server/notify/self-checks.ts), for admins. The same
 * verdicts page the admins when they change; the dashboard shows the failing ones as a banner.
 */
import { Router } from 'express';
import { requireRole } from '../auth/sessions.js';
import type { ApiContext } from './context.js';

/** Routes under /api/system. */
export function systemRoutes(ctx: ApiContext): Router {
  const r = Router();
  const admin = requireRole('admin');
  r.get('/checks', admin, (_req, res) => {
    const checks = ctx.notify.selfChecks?.list() ?? [];
    res.json({ isEnabled: ctx.notify.selfChecks !== undefined, checks });
  });
  // Runs every check now (after fixing something, to see it clear without waiting a minute).
  r.post('/checks/run', admin, (_req, res) => {
    const checks = ctx.notify.selfChecks?.run() ?? [];
    res.json({ isEnabled: ctx.notify.selfChecks !== undefined, checks });
  });
  return r;
}
