/**
 * Read-only status links (server/billing/status-link-service.ts): technicians make and revoke
 * them; anyone with the link sees the client's status page, without logging in.
 *
 *   POST   /api/clients/:id/status-links   make one (admin, technician); the URL is in the answer only
 *   GET    /api/clients/:id/status-links   the client's links (never their tokens)
 *   DELETE /api/status-links/:id           revoke (admin, technician): the page answers 404 at once
 *   GET    /status/:token                  the page (public)
 */
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import { attemptLimiter } from '../http/rate-limits.js';
import type { ApiContext } from './context.js';

const createSchema = z.object({ showHostnames: z.boolean().optional(), label: z.string().trim().min(1).max(100).optional() }).strict();

/** Routes under /api (behind the session). */
export function statusLinkRoutes(ctx: ApiContext): Router {
  const r = Router();
  const act = requireRole('admin', 'technician');
  const service = ctx.billing.statusLinks;

  r.post('/clients/:id/status-links', act, (req, res) => {
    const input = parseInput(createSchema, req.body ?? {});
    const { link, token } = service.create(actorOf(req), String(req.params.id), input);
    res.status(201).json({ ...link, url: `${ctx.baseUrl()}/status/${token}` });
  });
  r.get('/clients/:id/status-links', (req, res) => {
    res.json({ links: service.list(String(req.params.id)) });
  });
  r.delete('/status-links/:id', act, (req, res) => {
    res.json(service.revoke(actorOf(req), String(req.params.id)));
  });
  return r;
}

const NOT_FOUND_PAGE = `<!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>Niet gevonden · Not found</title></head>
<body style="font: 15px/1.5 system-ui, sans-serif; max-width: 640px; margin: 40px auto; padding: 0 16px"><h1>Niet gevonden · Not found</h1>
<p>Deze statuslink bestaat niet (meer). Vraag uw IT-beheerder om een nieuwe.</p><p>This status link does not exist or was revoked. Ask your IT provider for a new one.</p></body></html>`;

/** The public page. The token is the credential: it is never logged, and the page is neither cached nor indexed. */
export function statusPageRoutes(ctx: ApiContext): Router {
  const r = Router();
  // 60 pages a minute per address: enough for a wall screen and a few people, not for guessing.
  const limiter = attemptLimiter({ windowMs: 60_000, limit: 60, message: 'too many status page requests; wait a minute' });
  r.get('/status/:token', limiter, (req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Robots-Tag', 'noindex, nofollow');
    const html = ctx.billing.statusLinks.page(String(req.params.token));
    res
      .status(html ? 200 : 404)
      .type('html')
      .send(html ?? NOT_FOUND_PAGE);
  });
  return r;
}
