/** Shared steps of the on-call tests: people, a firing alert through a real agent, mail links. */
import { expect } from 'vitest';
import type { ApiClient, TestServer } from './test-server.js';
import { enrollTestDevice } from './test-server.js';
import { startTestAgent, type TestAgent } from './test-agent.js';

/** Creates a user over REST (as admin) and returns it. */
export async function createUser(api: ApiClient, username: string, role: 'admin' | 'technician' | 'viewer', email: string | null) {
  const r = await api.post('/api/users', { username, password: `${username}-password-1`, role, email });
  expect(r.status, r.text).toBe(201);
  return r.json as { id: string; username: string; email: string | null };
}

/** With a manual clock the engine would see every device go offline; these tests are about disks. */
export async function disableOfflineRule(api: ApiClient): Promise<void> {
  const r = await api.request('PATCH', '/api/rules/default-offline', { isEnabled: false });
  expect(r.status, r.text).toBe(200);
}

/** Enrolls a device, connects a raw agent and reports a full disk; returns the alert (or none for break-fix). */
export async function fireDiskAlert(t: TestServer, api: ApiClient, opts: { clientName: string; contract?: 'monthly' | 'break-fix'; hostname?: string }) {
  const dev = await enrollTestDevice(api, { clientName: opts.clientName, contract: opts.contract ?? 'monthly', hostname: opts.hostname ?? 'srv-01' });
  const agent: TestAgent = await startTestAgent(t.url, dev.deviceToken, { hostname: opts.hostname ?? 'srv-01' });
  await agent.report([{ name: 'fs.usedPct', labels: { mount: '/' }, value: 97 }]);
  const alerts = (await api.get(`/api/alerts?client=${dev.clientId}&state=open`)).json as { id: string; state: string }[];
  return { dev, agent, alert: alerts[0] };
}

/** The acknowledge link in a text (mail body, JSON). */
export function ackLinkIn(text: string): string {
  const m = /(https?:\/\/[^\s"<>]+\/ack\/[A-Za-z0-9_.-]+)/.exec(text);
  if (!m) throw new Error(`no ack link in: ${text.slice(0, 500)}`);
  return m[1]!;
}
