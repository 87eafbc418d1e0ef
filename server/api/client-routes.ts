/** /api/clients: list, create, change and delete clients; issue enrollment tokens. */
import { Router } from 'express';
import { z } from 'zod';
import type { ContractType } from '../../shared/api-types.js';
import { HttpError, parseInput } from '../lib/errors.js';
import { requireRole } from '../auth/sessions.js';
import { generateToken } from '../lib/secrets.js';
import { agentSettingsSchema } from '../store/agent-settings.js';
import { changedFields, actorOf } from '../audit/audit-log.js';
import { isValidTimezone } from '../time/zones.js';
import type { ApiContext } from './context.js';

/** Fields of a client; shared by create and (later) update. */
export const clientInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    contract: z.custom<ContractType>((v) => v === 'monthly' || v === 'break-fix', {
      message: 'contract must be "monthly" or "break-fix"',
      params: { code: 'CONTRACT_INVALID' },
    }),
    monthlyFee: z.number().finite().min(0).max(1e9).optional(),
    hourlyRate: z.number().finite().min(0).max(1e6).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code such as EUR')
      .optional(),
    timezone: z.string().refine(isValidTimezone, 'must be an IANA time zone such as Europe/Amsterdam').optional(),
    contact: z.string().max(500).nullable().optional(),
  })
  .strict();

const tokenInputSchema = z
  .object({
    label: z.string().max(200).optional(),
    /** Lifetime in hours; omitted = never expires (revoke it instead). */
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .optional(),
  })
  .strict();

export function clientRoutes(ctx: ApiContext): Router {
  const r = Router();
  r.get('/', (_req, res) => {
    res.json(ctx.clients.list());
  });

  r.post('/', requireRole('admin', 'technician'), (req, res) => {
    const input = parseInput(clientInputSchema, req.body);
    if (ctx.clients.findByName(input.name)) throw new HttpError(409, 'CLIENT_EXISTS', `a client named "${input.name}" already exists`);
    const created = ctx.audit.audited(actorOf(req), (record) => {
      const c = ctx.clients.create(input, ctx.now());
      record({
        action: 'client.create',
        entityType: 'client',
        entityId: c.id,
        summary: `created client "${c.name}" (${c.contract})`,
        detail: { contract: c.contract, monthlyFee: c.monthlyFee, hourlyRate: c.hourlyRate, currency: c.currency },
      });
      return c;
    });
    res.status(201).json(created);
  });

  r.get('/:id', (req, res) => {
    const c = ctx.clients.findById(req.params.id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${req.params.id}`);
    res.json(c);
  });

  // A contract change applies to conditions that open after it; open ones keep their route.
  r.patch('/:id', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    const before = ctx.clients.findById(id);
    if (!before) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    const patch = parseInput(clientInputSchema.partial(), req.body);
    const sameName = patch.name === undefined ? undefined : ctx.clients.findByName(patch.name);
    if (sameName && sameName.id !== id) throw new HttpError(409, 'CLIENT_EXISTS', `a client named "${patch.name}" already exists`);
    const updated = ctx.audit.audited(actorOf(req), (record) => {
      const after = ctx.clients.update(id, patch)!;
      const changes = changedFields(before, after, ['name', 'contract', 'monthlyFee', 'hourlyRate', 'currency', 'timezone', 'contact']);
      if (Object.keys(changes).length > 0) {
        const contract = changes.contract ? `contract ${String(changes.contract.from)} → ${String(changes.contract.to)}` : null;
        const summary = `changed client "${after.name}": ${contract ?? Object.keys(changes).join(', ')}${
          contract && Object.keys(changes).length > 1
            ? ` (and ${Object.keys(changes)
                .filter((k) => k !== 'contract')
                .join(', ')})`
            : ''
        }`;
        record({ action: 'client.update', entityType: 'client', entityId: id, summary, detail: { changes } });
      }
      return after;
    });
    ctx.alerting.engine.refreshClient(id);
    ctx.logger.info({ clientId: id, by: req.user!.username, fields: Object.keys(patch) }, 'client changed');
    res.json(updated);
  });

  r.delete('/:id', requireRole('admin'), (req, res) => {
    const id = String(req.params.id);
    const before = ctx.clients.findById(id);
    if (!before) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    try {
      ctx.audit.audited(actorOf(req), (record) => {
        ctx.clients.delete(id);
        record({
          action: 'client.delete',
          entityType: 'client',
          entityId: id,
          summary: `deleted client "${before.name}"`,
          detail: { name: before.name, contract: before.contract },
        });
      });
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_CONSTRAINT_FOREIGNKEY') throw err;
      throw new HttpError(409, 'CLIENT_IN_USE', `client ${id} still has devices or alert/incident history; move its devices to another client first`);
    }
    ctx.alerting.engine.refreshClient(id);
    res.status(204).end();
  });

  r.post('/:id/enrollment-tokens', requireRole('admin', 'technician'), (req, res) => {
    const id = String(req.params.id);
    const c = ctx.clients.findById(id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${id}`);
    const input = parseInput(tokenInputSchema, req.body ?? {});
    const now = ctx.now();
    const token = generateToken('qpe');
    const info = ctx.audit.audited(actorOf(req), (record) => {
      const info = ctx.clients.addEnrollmentToken(
        c.id,
        token,
        { label: input.label ?? null, expiresAtMs: input.expiresInHours ? now + input.expiresInHours * 3_600_000 : null },
        now,
      );
      record({
        action: 'enrollment-token.create',
        entityType: 'enrollment-token',
        entityId: info.id,
        summary: `created an enrollment token for client "${c.name}"${info.label ? ` (${info.label})` : ''}`,
        detail: { clientId: c.id, label: info.label, expiresAtMs: info.expiresAtMs },
      });
      return info;
    });
    // The token is shown once; only its hash is kept.
    res.status(201).json({ ...info, token });
  });

  r.get('/:id/enrollment-tokens', (req, res) => {
    const c = ctx.clients.findById(req.params.id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${req.params.id}`);
    res.json(ctx.clients.listEnrollmentTokens(c.id));
  });

  r.get('/:id/agent-config', (req, res) => {
    const c = ctx.clients.findById(req.params.id);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${req.params.id}`);
    res.json({ clientId: c.id, config: ctx.settings.forClient(c.id) });
  });

  r.put('/:id/agent-config', requireRole('admin', 'technician'), (req, res) => {
    const c = ctx.clients.findById(String(req.params.id));
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${String(req.params.id)}`);
    const config = parseInput(agentSettingsSchema, req.body);
    const previous = ctx.settings.forClient(c.id);
    ctx.audit.audited(actorOf(req), (record) => {
      ctx.settings.setForClient(c.id, config);
      record({
        action: 'client.agent-config',
        entityType: 'client',
        entityId: c.id,
        summary: `changed the agent settings of client "${c.name}"`,
        detail: { from: previous, to: config },
      });
    });
    // Every connected agent of the client gets its new effective config now; the others at their next welcome.
    const pushedTo = ctx.devices.idsOfClient(c.id).filter((id) => ctx.agents.refreshConfig(id)).length;
    ctx.logger.info({ clientId: c.id, userId: req.user?.id, pushedTo }, 'client agent config changed');
    res.json({ clientId: c.id, config, pushedTo });
  });
  return r;
}
