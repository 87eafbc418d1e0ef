/**
 * One error type for HTTP answers and one middleware that turns any thrown error into
 * `{ error: { code, message } }`. Unexpected errors are logged with their stack and answered
 * with a generic 500: no stack trace ever leaves the server.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { storageFaultOf } from '../store/faults.js';

/** Seconds a client is asked to wait after a storage fault (Retry-After). */
export const STORAGE_RETRY_AFTER_S = 5;

/** An error with an HTTP status and a stable, documented code. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * Validates `input` against `schema`, or throws 400 naming the first bad field. The code is
 * VALIDATION_FAILED, unless a custom check set its own in `params.code` (e.g. CONTRACT_INVALID).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const where = issue.path.length > 0 ? `${what}.${issue.path.join('.')}` : what;
  const custom = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  throw new HttpError(400, typeof custom === 'string' ? custom : 'VALIDATION_FAILED', `${where}: ${issue.message}`);
}

/**
 * Validates a PATCH body against `schema` made partial, and keeps only the fields the body
 * actually has (zod would otherwise fill in the schema's defaults for the fields left out).
 */
export function parsePatch<S extends z.ZodObject>(schema: S, input: unknown, what = 'body'): Partial<z.infer<S>> {
  const parsed = parseInput(schema.partial(), input, what) as Record<string, unknown>;
  const given = input && typeof input === 'object' ? (input as Record<string, unknown>) : {};
  return Object.fromEntries(Object.entries(parsed).filter(([k]) => k in given)) as Partial<z.infer<S>>;
}

/** 404 for unknown /api routes. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'NOT_FOUND', `no route for ${req.method} ${req.path}`));
};

/** The error middleware; must be registered last. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: { code: err.code, message: err.message } });
      return;
    }
    // body-parser errors carry a status and a type.
    const e = err as { status?: number; type?: string; message?: string };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'INVALID_JSON', message: `request body is not valid JSON: ${e.message}` } });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } });
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      res.status(e.status).json({ error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } });
      return;
    }
    // Disk full, database locked by another process, I/O error: a condition of the machine, not
    // a bug. Nothing was changed (the write's transaction rolled back); the client may retry.
    const fault = storageFaultOf(err);
    if (fault) {
      logger.warn({ code: fault.code, method: req.method, path: req.path }, `request refused: ${fault.description}`);
      res.setHeader('Retry-After', String(STORAGE_RETRY_AFTER_S));
      res.status(503).json({ error: { code: 'STORAGE_UNAVAILABLE', message: `the server cannot store changes right now (${fault.description}); nothing was changed, try again later` } });
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal server error' } });
  };
}
