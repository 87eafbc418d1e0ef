/**
 * Job fan-out: one request for a task on N agents (default 5,000), from the POST to every agent
 * holding its signed job. The server runs in its own process (server-child.ts) so its CPU is its
 * own; N raw protocol-v1 agents (the `ws` package) connect from this process, say hello, and on
 * each `job` frame check the Ed25519 signature with the key the welcome gave them (as a real
 * agent does before anything runs). Baseline in the same run: the same N envelopes signed by a
 * bare loop over node:crypto, the floor of the signing work.
 *
 *   tsx scripts/bench/job-fanout.ts [--agents 5000]
 */
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generate } from 'otplib';
import WebSocket from 'ws';
import { isJobSignatureValid, parsePinnedKey } from '../../agent/jobs/job-signature.js';
import { jobSigningBytes } from '../../shared/canonical-json.js';
import { AGENT_WS_PATH, ENROLL_PATH } from '../../shared/protocol.js';
import { readProcStats } from './proc-stats.js';
import { startServerProcess } from './server-process.js';
import { httpJson, numberFlag, summarize } from './trigger-fleet.js';

const PASSWORD = 'bench-admin-password';

/** Figures of one run. */
export interface JobFanoutResult {
  agents: number;
  /** POST /api/jobs round trip: checks, N rows in one transaction, N signatures, sends. */
  requestMs: number;
  /** From the POST to the last agent holding a valid signed job. */
  allReceivedMs: number;
  p50ReceivedMs: number;
  p95ReceivedMs: number;
  /** Jobs that arrived with a signature that did not verify (should be 0). */
  badSignatures: number;
  /** Agents without their job when the run ended (should be 0). */
  missing: number;
  /** Server CPU seconds over the fan-out. */
  serverCpuSec: number;
  /** The same N envelopes signed by a bare node:crypto loop, ms. */
  bareSignMs: number;
}

/** Runs the fan-out once. */
export async function benchJobFanout(opts: { agents: number }): Promise<JobFanoutResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qp-bench-jobs-'));
  const server = await startServerProcess({ dataDir, password: PASSWORD });
  const sockets: WebSocket[] = [];
  try {
    const base = server.url;
    const login = await httpJson(`${base}/api/login`, 'POST', { username: 'admin', password: PASSWORD });
    const cookie = { cookie: login.cookie! };
    // Running a task needs a second factor: enrol, as a person would.
    const start = await httpJson(`${base}/api/me/two-factor/start`, 'POST', {}, cookie);
    const secret = start.json.secret as string;
    const confirmed = await httpJson(`${base}/api/me/two-factor/confirm`, 'POST', { code: await generate({ secret }) }, cookie);
    if (confirmed.status !== 200) throw new Error(`two-factor: ${JSON.stringify(confirmed.json)}`);
    const client = await httpJson(`${base}/api/clients`, 'POST', { name: 'Fan-out', contract: 'monthly', monthlyFee: 500 }, cookie);
    const token = (await httpJson(`${base}/api/clients/${client.json.id}/enrollment-tokens`, 'POST', {}, cookie)).json.token as string;

    const devices: { id: string; token: string }[] = [];
    for (let i = 0; i < opts.agents; i += 50) {
      // /api/enroll allows 60 per minute per address: each batch of 50 from an address of its own.
      const localAddress = `127.0.${Math.floor(i / 50 / 250)}.${2 + ((i / 50) % 250)}`;
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, opts.agents - i) }, (_, k) =>
          httpJson(`${base}${ENROLL_PATH}`, 'POST', { token, hostname: `fan-${i + k}`, machineId: `fan-machine-${i + k}` }, {}, localAddress),
        ),
      );
      for (const e of batch) {
        if (e.status !== 201) throw new Error(`enroll: ${e.status} ${JSON.stringify(e.json)}`);
        devices.push({ id: e.json.deviceId, token: e.json.deviceToken });
      }
    }

    const receivedAt = new Map<string, number>();
    let badSignatures = 0;
    let t0 = 0;
    for (let i = 0; i < devices.length; i += 200) {
      await Promise.all(
        devices.slice(i, i + 200).map(
          (d, k) =>
            new Promise<void>((resolve, reject) => {
              const ws = new WebSocket(`ws://127.0.0.1:${server.port}${AGENT_WS_PATH}`, {
                headers: { authorization: `Bearer ${d.token}` },
                perMessageDeflate: false,
              });
              sockets.push(ws);
              let key: ReturnType<typeof parsePinnedKey> | undefined;
              ws.once('error', reject);
              ws.on('message', (data) => {
                const m = JSON.parse(data.toString()) as { type: string; jobSigningKey?: string; job?: { deviceId: string }; signature?: string };
                if (m.type === 'welcome') {
                  key = parsePinnedKey(m.jobSigningKey!);
                  resolve();
                } else if (m.type === 'job') {
                  const at = performance.now();
                  if (!key || !isJobSignatureValid(key, m.job, m.signature!) || m.job!.deviceId !== d.id) badSignatures++;
                  else if (!receivedAt.has(d.id)) receivedAt.set(d.id, at - t0);
                }
              });
              ws.once('open', () =>
                ws.send(
                  JSON.stringify({
                    type: 'hello',
                    v: 1,
                    agentVersion: '0.1.0',
                    hostname: `fan-${i + k}`,
                    streamId: `fan-stream-${i + k}`,
                    intervalMs: 3_600_000,
                  }),
                ),
              );
            }),
        ),
      );
    }

    const cpu0 = readProcStats(server.pid).cpuSec;
    t0 = performance.now();
    // The enrolment used this time step's code; the next step's is accepted (±30 s).
    const code = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    const created = await httpJson(`${base}/api/jobs`, 'POST', { deviceIds: devices.map((d) => d.id), task: 'health.check', code }, cookie);
    const requestMs = performance.now() - t0;
    if (created.status !== 201) throw new Error(`jobs: ${created.status} ${JSON.stringify(created.json)}`);
    const end = performance.now() + 60_000;
    while (receivedAt.size < devices.length && performance.now() < end) await new Promise((r) => setTimeout(r, 20));
    const serverCpuSec = readProcStats(server.pid).cpuSec - cpu0;
    const latencies = [...receivedAt.values()];
    const s = summarize(latencies);

    // Baseline: the same number of envelopes, signed by a bare loop.
    const pair = generateKeyPairSync('ed25519');
    const privateKey = createPrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
    const b0 = performance.now();
    for (const d of devices) {
      const env = {
        jobId: `job_${d.id}`,
        deviceId: d.id,
        task: 'health.check',
        params: {},
        notBeforeMs: Date.now(),
        notAfterMs: Date.now() + 86_400_000,
        nonce: 'n'.repeat(22),
      };
      sign(null, jobSigningBytes(env), privateKey);
    }
    const bareSignMs = performance.now() - b0;

    return {
      agents: devices.length,
      requestMs: Math.round(requestMs),
      allReceivedMs: Math.round(Math.max(0, ...latencies)),
      p50ReceivedMs: Math.round(s.p50Ms),
      p95ReceivedMs: Math.round(s.p95Ms),
      badSignatures,
      missing: devices.length - receivedAt.size,
      serverCpuSec: Math.round(serverCpuSec * 100) / 100,
      bareSignMs: Math.round(bareSignMs),
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const r = await benchJobFanout({ agents: numberFlag('agents', 5_000) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  process.exit(0);
}
