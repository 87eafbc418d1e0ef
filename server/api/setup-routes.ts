/**
 * /api/setup (no session: there is no user yet; the one-time setup code is the credential) and
 * /api/settings/public-url (signed in). See server/setup/setup-service.ts.
 */
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/errors.js';
import { requireRole, startSession } from '../auth/sessions.js';
import { attemptLimiter } from '../http/rate-limits.js';
import { setupInputSchema } from '../setup/setup-service.js';
import type { ApiContext } from './context.js';

const code = z.string().min(1).max(200);

/** Routes under /api/setup: status, code and URL check, a test e-mail, the setup itself. */
export function setupRoutes(ctx: ApiContext): Router {
  const r = Router();
  // Guessing the code: 10 wrong answers per 15 minutes per address.
  const limiter = attemptLimiter({ windowMs: 15 * 60_000, limit: 10, message: 'too many wrong setup codes; wait a few minutes', isFailuresOnly: true });
  r.get('/', (_req, res) => {
    res.json(ctx.setup.status());
  });
  r.post('/check', limiter, async (req, res) => {
    const input = parseInput(z.object({ code, publicUrl: z.string().min(1).max(500).optional() }).strict(), req.body);
    ctx.setup.checkCode(input.code);
    res.json({ ok: true, publicUrl: input.publicUrl === undefined ? null : await ctx.setup.checkPublicUrl(input.publicUrl) });
  });
  r.post('/test-email', limiter, async (req, res) => {
    const input = parseInput(
      z.object({ code, email: z.record(z.string(), z.unknown()), to: z.email('to: not an e-mail address').max(320) }).strict(),
      req.body,
    );
    res.json(await ctx.setup.testEmail(input.code, input.email, input.to));
  });
  r.post('/', limiter, async (req, res) => {
    const input = parseInput(setupInputSchema, req.body);
    const { user, warnings } = await ctx.setup.complete(input);
    startSession(res, ctx.users, user, ctx.now(), ctx.isTls);
    res.status(201).json({ username: user.username, warnings });
  });
  return r;
}

/** Routes under /api/settings: the public URL in force (anyone signed in), changed by admins. */
export function settingsRoutes(ctx: ApiContext): Router {
  const r = Router();
  const admin = requireRole('admin');
  const body = z.object({ publicUrl: z.string().min(1).max(500) }).strict();
  r.get('/public-url', (_req, res) => {
    res.json(ctx.setup.publicUrl(ctx.baseUrl()));
  });
  r.post('/public-url/check', admin, async (req, res) => {
    res.json(await ctx.setup.checkPublicUrl(parseInput(body, req.body).publicUrl));
  });
  r.put('/public-url', admin, async (req, res) => {
    const u = await ctx.setup.setPublicUrl(parseInput(body, req.body).publicUrl, { id: req.user!.id, username: req.user!.username });
    res.json({ ...ctx.setup.publicUrl(ctx.baseUrl()), warnings: u.warnings });
  });
  return r;
}
