import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnection, type Connection } from '../../agent/connection.js';
import { enrollDevice } from '../../agent/enroll.js';
import { openSpool, type Spool } from '../../agent/spool.js';
import { ProtocolServer, waitFor } from './helpers/protocol-server.js';
import { makePrivateCa } from './helpers/private-ca.js';
import { createTestLogger } from './helpers/test-logger.js';

// A throw-away private CA and a server certificate for 127.0.0.1 (helpers/private-ca.ts).
let dir: string;
let caFile: string;
let key: Buffer;
let cert: Buffer;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-tls-'));
  const ca = makePrivateCa(dir);
  caFile = ca.caFile;
  key = fs.readFileSync(ca.keyFile);
  cert = fs.readFileSync(ca.certFile);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let server: ProtocolServer | undefined;
let connection: Connection | undefined;
let spool: Spool | undefined;
afterEach(async () => {
  await connection?.stop();
  spool?.close();
  await server?.close();
  connection = spool = server = undefined;
});

function connectTls(withCa: boolean, logger = createTestLogger().logger): Connection {
  spool = openSpool({ dir: fs.mkdtempSync(path.join(dir, 'state-')), logger });
  connection = createConnection({
    serverUrl: server!.url('https'),
    deviceToken: 'tls-token-123456',
    caFile: withCa ? caFile : undefined,
    spool,
    logger,
    hello: () => ({ agentVersion: 't', hostname: 'h', intervalMs: 10_000 }),
    backoff: { baseMs: 5_000, capMs: 10_000, random: () => 0.5 },
  });
  connection.start();
  return connection;
}

describe('TLS with a private CA', () => {
  it('wss:// connects when the CA file is given', async () => {
    server = await new ProtocolServer({ token: 'tls-token-123456', server: https.createServer({ key, cert }) }).listen();
    const c = connectTls(true);
    await waitFor('ready over wss', () => c.state === 'ready');
  });

  it('wss:// refuses the certificate without the CA file (verification stays on)', async () => {
    server = await new ProtocolServer({ token: 'tls-token-123456', server: https.createServer({ key, cert }) }).listen();
    const log = createTestLogger();
    const c = connectTls(false, log.logger);
    await waitFor('backoff after TLS failure', () => c.state === 'backoff');
    expect(log.lines.find((l) => l.msg === 'agent connection error')?.err).toMatch(/self[- ]signed|unable to (get|verify)/i);
    expect(server.connections).toBe(0);
  });

  it('enrollment over https uses the CA file', async () => {
    const httpsServer = https.createServer({ key, cert }, (req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ deviceId: 'd1', deviceToken: 't1', clientId: 'c1' })),
      );
    });
    await new Promise<void>((resolve) => httpsServer.listen(0, '127.0.0.1', resolve));
    try {
      const port = (httpsServer.address() as { port: number }).port;
      const answer = await enrollDevice({ serverUrl: `https://127.0.0.1:${port}`, token: 'enroll-token-123', hostname: 'h', caFile });
      expect(answer.deviceId).toBe('d1');
    } finally {
      httpsServer.closeAllConnections();
      await new Promise<void>((resolve) => httpsServer.close(() => resolve()));
    }
  });
});
