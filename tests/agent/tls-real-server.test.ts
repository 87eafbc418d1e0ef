/**
 * TLS end to end: the real server with a certificate from a throw-away private CA (real openssl),
 * a real agent that trusts that CA via caFile, and the same agent without it, which must refuse.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../../agent/collectors/types.js';
import { enrollDevice } from '../../agent/enroll.js';
import { createAgent, type Agent } from '../../agent/index.js';
import { resolveServerSettings } from '../../server/config.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { waitFor } from './helpers/protocol-server.js';
import { makePrivateCa } from './helpers/private-ca.js';
import { createTestLogger } from './helpers/test-logger.js';

let dir: string;
let caFile: string;
let certFile: string;
let keyFile: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-tls-real-'));
  ({ caFile, certFile, keyFile } = makePrivateCa(dir));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let t: TestServer | undefined;
const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  await t?.close();
  t = undefined;
});

const counter: Collector = { name: 'counter', init: async () => true, collect: async () => [{ name: 'proc.count', value: 1 }] };

async function enrollOverTls(): Promise<{ deviceId: string; deviceToken: string }> {
  // REST over https with the private CA too (Node 20's fetch takes no CA, so use the agent's client).
  const { clients, now } = t!.server.ctx;
  const client = clients.create({ name: 'TLS', contract: 'monthly' }, now());
  const token = 'qpe_tls-test-token-0123456789';
  clients.addEnrollmentToken(client.id, token, {}, now());
  return enrollDevice({ serverUrl: t!.url, token, hostname: 'tls-host', caFile });
}

describe('TLS against the real server', () => {
  it('serves https and wss; an agent trusting the private CA enrolls, connects over wss:// and its reports are stored', async () => {
    t = await startTestServer({ tls: { certFile, keyFile } });
    expect(t.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dev = await enrollOverTls();
    const agent = createAgent({
      config: { serverUrl: t.url, deviceId: dev.deviceId, deviceToken: dev.deviceToken, intervalMs: 1_000, stateDir: path.join(dir, 'state-ok'), caFile },
      logger: createTestLogger().logger,
      collectors: [counter],
    });
    agents.push(agent);
    await agent.start();
    await waitFor('report stored over wss', () => t!.server.ctx.devices.findById(dev.deviceId)!.latest['proc.count'] === 1, 10_000);
    expect(agent.state).toBe('ready');
  });

  it('without the CA the agent refuses the certificate, logs why, and never falls back to an unverified connection', async () => {
    t = await startTestServer({ tls: { certFile, keyFile } });
    const dev = await enrollOverTls();
    const log = createTestLogger();
    const agent = createAgent({
      config: { serverUrl: t.url, deviceId: dev.deviceId, deviceToken: dev.deviceToken, intervalMs: 1_000, stateDir: path.join(dir, 'state-no-ca') },
      logger: log.logger,
      collectors: [counter],
      connection: { backoff: { baseMs: 50, capMs: 200 } },
    });
    agents.push(agent);
    await agent.start();
    await waitFor('two failed attempts', () => log.lines.filter((l) => l.msg === 'agent connection error').length >= 2, 10_000);
    expect(log.lines.find((l) => l.msg === 'agent connection error')?.err).toMatch(/self[- ]signed|unable to (get|verify)/i);
    expect(agent.state).not.toBe('ready');
    expect(t.server.ctx.devices.findById(dev.deviceId)!.lastSeenMs).toBeNull();
    await expect(enrollDevice({ serverUrl: t.url, token: 'qpe_whatever-0123456789', hostname: 'h' })).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('QP_TLS_CERT and QP_TLS_KEY come together or not at all', () => {
    expect(resolveServerSettings({}, { QP_TLS_CERT: 'c.pem', QP_TLS_KEY: 'k.pem' }).tls).toEqual({ certFile: 'c.pem', keyFile: 'k.pem' });
    expect(() => resolveServerSettings({}, { QP_TLS_CERT: 'c.pem' })).toThrow(/give both the certificate \(--tls-cert \/ QP_TLS_CERT\) and the key/);
    expect(resolveServerSettings({ tlsCert: 'a', tlsKey: 'b' }, {}).tls).toEqual({ certFile: 'a', keyFile: 'b' });
  });

  it('a missing certificate file fails at startup with the path in the message', async () => {
    await expect(startTestServer({ tls: { certFile: path.join(dir, 'nope.pem'), keyFile } })).rejects.toThrow(/cannot read the TLS certificate .*nope\.pem/);
  });
});
