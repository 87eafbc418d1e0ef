/**
 * One error type for HTTP answers, thrown by services and routes alike, and the input parsers
 * that throw it. server/http/error-handler.ts turns it into `{ error: { code, message } }`.
 */
import type { z } from 'zod';

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
