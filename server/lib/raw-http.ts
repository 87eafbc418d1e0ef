/**
 * HTTP refusals written straight to a socket. A WebSocket upgrade that is refused never reaches
 * express, so the agents' gateway, the dashboards' live hub and the upgrade router answer it here:
 * one status line, the headers, `Connection: close`, and an optional JSON error body in the same
 * `{ error: { code, message } }` shape as the REST API.
 */
import type { Duplex } from 'node:stream';

const REASONS: Readonly<Record<number, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/** The error body of a refusal; extra fields (e.g. retryAfterMs) go next to code and message. */
export interface RefusalError {
  readonly code: string;
  readonly message: string;
  readonly [extra: string]: unknown;
}

/** The bytes of a refusal (exported for tests). */
export function refusalResponse(status: number, error?: RefusalError, headers: Readonly<Record<string, string>> = {}): string {
  const body = error ? JSON.stringify({ error }) : '';
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}`, 'Connection: close'];
  if (error) lines.push('Content-Type: application/json');
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** Answers a refused upgrade and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, error?: RefusalError, headers?: Readonly<Record<string, string>>): void {
  socket.end(refusalResponse(status, error, headers));
}
