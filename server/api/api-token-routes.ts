/**
 * /api/api-tokens (admins): named bearer tokens for scripts, each with a role. The token is shown
 * once; only its hash is stored. Creating and revoking need a person's session (a leaked token can
 * neither mint more nor revoke the tokens that would replace it); listing works with an admin
 * token, and a token may revoke itself (all a script that found itself leaked can usefully do).
 */
import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { ApiTokenCreated } from '../../shared/api-types.js';
import { parseInput } from '../lib/errors.js';
import { requireInteractiveSession, requireRole } from '../auth/sessions.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const createSchema = z
  .object({
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9 ._@-]{2,80}$/, 'must be 2–80 letters, digits, spaces or . _ @ -'),
    role: z.enum(['admin', 'technician', 'viewer']),
    /** Lifetime in days; omitted = until revoked. */
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();

export function apiTokenRoutes(ctx: ApiContext): Router {
  const r = Router();
  const admin = requireRole('admin');

  r.get('/', admin, (_req, res) => {
    res.json(ctx.apiTokens.list());
  });

  r.post('/', requireInteractiveSession, admin, (req, res) => {
    const input = parseInput(createSchema, req.body);
    const info = ctx.apiTokenService.create(actorOf(req), req.user!.username, input);
    ctx.logger.info({ tokenId: info.id, name: info.name, role: info.role, by: req.user!.username }, 'API token created');
    // Shown once; only the hash is kept.
    res.status(201).json(info satisfies ApiTokenCreated);
  });

  const sessionUnlessSelf: RequestHandler = (req, res, next) =>
    req.apiToken?.id === String(req.params.id) ? next() : requireInteractiveSession(req, res, next);
  r.delete('/:id', sessionUnlessSelf, admin, (req, res) => {
    const id = String(req.params.id);
    const info = ctx.apiTokenService.revoke(actorOf(req), id);
    ctx.logger.info({ tokenId: id, by: req.user!.username }, 'API token revoked');
    res.json(info);
  });
  return r;
}
