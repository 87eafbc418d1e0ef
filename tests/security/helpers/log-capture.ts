/** A real pino logger writing JSON lines into memory, for tests that read what the server logs. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  logger: Logger;
  /** Every line as written (after redaction), in order. */
  raw: string[];
  /** The lines parsed. */
  lines: () => Record<string, unknown>[];
}

/** A pino logger at `level` whose output is kept in memory. */
export function captureLog(level = 'debug'): CapturedLog {
  const raw: string[] = [];
  let partial = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = partial + chunk.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      raw.push(...parts.filter((p) => p.length > 0));
      done();
    },
  });
  return { logger: pino({ level }, stream), raw, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}
