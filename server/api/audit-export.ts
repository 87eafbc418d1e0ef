/**
 * GET /api/audit/export (admins): the whole audit log, or a time range, as CSV or NDJSON,
 * streamed oldest first in chunks of 1,000 rows read by id (keyset), so a large log never sits
 * in memory and the event loop is free between chunks; a slow reader pauses the reading
 * (backpressure). The export itself is an audit entry. CSV cells that a spreadsheet would run as
 * a formula (starting with = + - @, tab or CR) get a leading apostrophe: summaries carry names
 * that clients and technicians chose.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { AuditEntry } from '../../shared/api-types.js';
import { parseInput } from '../lib/errors.js';
import { actorOf } from '../audit/audit-log.js';
import type { ApiContext } from './context.js';

const CHUNK_ROWS = 1_000;

const exportQuerySchema = z
  .object({
    format: z.enum(['csv', 'ndjson']).default('ndjson'),
    /** ms since epoch, inclusive; default the beginning. */
    from: z.coerce.number().int().min(0).optional(),
    /** ms since epoch, exclusive; default now. */
    to: z.coerce.number().int().min(1).optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: 'from must be before to', params: { code: 'INVALID_RANGE' } });

export const CSV_COLUMNS = ['id', 'atMs', 'atIso', 'actorId', 'actorName', 'action', 'entityType', 'entityId', 'summary', 'detail'] as const;

/** One CSV cell (RFC 4180 quoting), defused against spreadsheet formulas. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvLine(e: AuditEntry): string {
  const cells = [e.id, e.atMs, new Date(e.atMs).toISOString(), e.actorId, e.actorName, e.action, e.entityType, e.entityId, e.summary, JSON.stringify(e.detail)];
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** Resolves when `res` can take more, or rejects if the client went away. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new Error('client closed the export'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/** The export handler. */
export function auditExportHandler(ctx: ApiContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const q = parseInput(exportQuerySchema, req.query, 'query');
    const fromMs = q.from ?? 0;
    const toMs = q.to ?? ctx.now() + 1;
    // Recorded first: who took a copy of the log, and which part.
    ctx.audit.recordExport(actorOf(req), q.format, fromMs, toMs);
    // The first chunk before any header: a storage fault here still gets its JSON error (503).
    let rows = ctx.audit.chunk(0, fromMs, toMs, CHUNK_ROWS);
    const stamp = new Date(ctx.now()).toISOString().slice(0, 10);
    res.status(200);
    res.setHeader('Content-Type', q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="quarkpulse-audit-${stamp}.${q.format === 'csv' ? 'csv' : 'ndjson'}"`);
    res.setHeader('Cache-Control', 'no-store');
    if (q.format === 'csv') res.write(`${CSV_COLUMNS.join(',')}\r\n`);
    let afterId = 0;
    try {
      while (rows.length > 0) {
        afterId = rows.at(-1)!.id;
        const text = rows.map((e) => (q.format === 'csv' ? csvLine(e) : `${JSON.stringify(e)}\n`)).join('');
        if (!res.write(text)) await drained(res);
        else await new Promise((r) => setImmediate(r));
        rows = rows.length < CHUNK_ROWS ? [] : ctx.audit.chunk(afterId, fromMs, toMs, CHUNK_ROWS);
      }
      res.end();
    } catch (err) {
      // Headers are out: a fault mid-stream can only cut the answer short (the client sees no
      // final chunk); log it, unless the client simply went away.
      if (!res.destroyed) ctx.logger.warn({ err, afterId }, 'audit export cut short');
      res.destroy();
    }
  };
}
