/**
 * The pending-connection guard on a stand-in server (an EventEmitter) with stand-in sockets: its
 * warning about dropped sockets is throttled on the injected timer clock, once per 10 s.
 */
import { EventEmitter } from 'node:events';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { guardPendingConnections } from '../../server/http/connection-guard.js';

const socketFrom = (remoteAddress: string) => Object.assign(new EventEmitter(), { remoteAddress, destroy() {} }) as unknown as Socket;

describe('guardPendingConnections', () => {
  it('warns at the first dropped socket, then at most once per 10 s of the timer clock', () => {
    const server = new EventEmitter() as unknown as Server;
    const warnings: string[] = [];
    const logger = { warn: (_fields: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
    let nowMs = 5_000;
    const guard = guardPendingConnections(server, { maxPending: 1, isTls: false, logger, timerNow: () => nowMs });

    server.emit('connection', socketFrom('127.0.0.2'));
    server.emit('connection', socketFrom('127.0.0.2'));
    expect(guard.stats()).toMatchObject({ pending: 1, refused: 1 });
    expect(warnings).toHaveLength(1);

    nowMs += 10_000;
    server.emit('connection', socketFrom('127.0.0.2'));
    expect(warnings).toHaveLength(1);
    nowMs += 1;
    server.emit('connection', socketFrom('127.0.0.2'));
    expect(warnings).toHaveLength(2);
    expect(guard.stats()).toMatchObject({ pending: 1, refused: 3 });
  });
});
