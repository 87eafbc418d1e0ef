/**
 * The middleware that turns any thrown error into `{ error: { code, message } }`. Unexpected
 * errors are logged with their stack and answered with a generic 500: no stack trace ever
 * leaves the server.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../lib/errors.js';
import { storageFaultOf } from '../store/faults.js';

/** Seconds a client is asked to wait after a storage fault (Retry-After). */
export const STORAGE_RETRY_AFTER_S = 5;

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
      res.status(503).json({
        error: {
          code: 'STORAGE_UNAVAILABLE',
          message: `the server cannot store changes right now (${fault.description}); nothing was changed, try again later`,
        },
      });
      return;
    }
    logger.error({ err, method: req.method, path: req.path }, 'unhandled error in request');
    res.status(500).json({ error: { code: 'INTERNAL', message: 'internal server error' } });
  };
}
