/**
 * Log hygiene. The server never logs a secret on purpose (tokens, passwords and channel secrets
 * are not passed to the logger); these redact paths are the second line of defence for what could
 * slip in by accident: request headers with credentials and fields named like secrets.
 */
import type { Logger } from 'pino';

/** Where the replacement text stands in the output. */
export const REDACTED = '[redacted]';

const SECRET_KEYS = [
  'password',
  'currentPassword',
  'newPassword',
  'passwordHash',
  'token',
  'deviceToken',
  'enrollmentToken',
  'apiToken',
  'secret',
  'accessToken',
  'webhookUrl',
  'pass',
  // Channel secrets of Telegram, Pushover, Twilio and MessageBird; the OIDC client secret.
  'botToken',
  'appToken',
  'authToken',
  'accessKey',
  'clientSecret',
];

/** pino redact paths: credentials in headers, and secret-named fields at the top and one or two levels down. */
export const REDACT_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  ...SECRET_KEYS.map((k) => `*.*.${k}`),
];

/** A child of `logger` that redacts REDACT_PATHS, whatever logger the caller gave. */
export function withRedaction(logger: Logger): Logger {
  return logger.child({}, { redact: { paths: [...REDACT_PATHS], censor: REDACTED } });
}
