/** TCP port check: does `host:port` accept a connection within the timeout, and how fast. */
import net from 'node:net';
import type { ProbeCheck } from '../../shared/probe.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckOutcome } from './types.js';

type TcpCheck = Extract<ProbeCheck, { type: 'tcp' }>;

/** Opens and closes one TCP connection; resolves with its connect time, ms, or rejects. */
export function connectOnce(host: string, port: number, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      socket.destroy();
      resolve(ms);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** Runs a TCP check. */
export async function runTcpCheck(check: TcpCheck): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  try {
    const ms = await connectOnce(check.host, check.port, timeoutMs);
    return {
      result: { checkId: check.id, state: 'ok', message: `port ${check.port} on ${check.host} accepts connections (${roundMs(ms)} ms)` },
      samples: [checkSample('check.isUp', check.id, 1), checkSample('check.latencyMs', check.id, roundMs(ms))],
    };
  } catch (err) {
    return {
      result: { checkId: check.id, state: 'failed', message: `port ${check.port} on ${check.host} does not accept connections: ${describeError(err)}` },
      samples: [checkSample('check.isUp', check.id, 0)],
    };
  }
}
