import { describe, expect, it } from 'vitest';
import { refusalResponse } from '../../server/lib/raw-http.js';

describe('refusals on a raw upgrade socket', () => {
  it('writes status, headers and a JSON body whose length matches', () => {
    const text = refusalResponse(429, { code: 'RATE_LIMITED', message: 'zu viele — retry', retryAfterMs: 2000 }, { 'Retry-After': '2' });
    const [head, body] = text.split('\r\n\r\n');
    expect(head!.split('\r\n')).toEqual([
      'HTTP/1.1 429 Too Many Requests',
      'Connection: close',
      'Content-Type: application/json',
      'Retry-After: 2',
      `Content-Length: ${Buffer.byteLength(body!)}`,
    ]);
    expect(JSON.parse(body!)).toEqual({ error: { code: 'RATE_LIMITED', message: 'zu viele — retry', retryAfterMs: 2000 } });
  });

  it('writes an empty body without a content type', () => {
    expect(refusalResponse(404)).toBe('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
});
