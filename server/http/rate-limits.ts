/** Rate limiters for password guessing and enrollment, answering through the one error type. */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { HttpError } from '../lib/errors.js';

/** A per-address limiter answering 429 TOO_MANY_ATTEMPTS with `message`. */
export function attemptLimiter(opts: { windowMs: number; limit: number; message: string; isFailuresOnly?: boolean }): RequestHandler {
  return rateLimit({
    windowMs: opts.windowMs,
    limit: opts.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: opts.isFailuresOnly ?? false,
    handler: () => {
      throw new HttpError(429, 'TOO_MANY_ATTEMPTS', opts.message);
    },
  });
}

/** Password checks (login, password change): 10 failures per 5 minutes per address. */
export function passwordLimiter(message: string): RequestHandler {
  return attemptLimiter({ windowMs: 5 * 60_000, limit: 10, message, isFailuresOnly: true });
}
