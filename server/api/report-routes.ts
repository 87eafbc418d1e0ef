/** /api/reports: billing per month, the contract advisor, and the advisor month by month. */
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../lib/errors.js';
import type { ApiContext } from './context.js';

const billingQuerySchema = z
  .object({
    client: z.string().min(1).max(64),
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM'),
  })
  .strict();

const adviceQuerySchema = z
  .object({
    client: z.string().min(1).max(64),
    from: z.string().max(10),
    to: z.string().max(10),
    /** Minutes of work assumed per alert of a monthly client (they book no time). */
    estimateMinutes: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(60),
    /** Language of the reasons and assumptions (the dashboard sends its own). */
    lang: z.enum(['en', 'nl']).default('en'),
  })
  .strict();

const historyQuerySchema = z
  .object({
    client: z.string().min(1).max(64),
    /** How many calendar months back, including the current one. */
    months: z.coerce.number().int().min(1).max(36).default(12),
    estimateMinutes: z.coerce
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(60),
    lang: z.enum(['en', 'nl']).default('en'),
  })
  .strict();

/** Routes under /api/reports (any session may read). */
export function reportRoutes(ctx: ApiContext): Router {
  const r = Router();
  const { reports, contractHistory: history } = ctx.billing;

  r.get('/billing', (req, res) => {
    const q = parseInput(billingQuerySchema, req.query, 'query');
    res.json(reports.billing(q.client, q.month));
  });

  r.get('/contract-advice', (req, res) => {
    const q = parseInput(adviceQuerySchema, req.query, 'query');
    res.json(reports.contractAdvice(q.client, q.from, q.to, q.estimateMinutes, q.lang));
  });

  r.get('/contract-history', (req, res) => {
    const q = parseInput(historyQuerySchema, req.query, 'query');
    res.json(history(q.client, q.months, q.estimateMinutes, q.lang));
  });
  return r;
}
