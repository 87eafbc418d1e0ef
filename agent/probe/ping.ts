/**
 * Ping check. ICMP needs raw sockets, which Node cannot open, so the probe runs the system's
 * `ping` (iputils: setuid or file capabilities give it ICMP; on Windows ping.exe, whose flags and
 * output differ and whose words follow the system language). Where there is no ping or it may
 * not send ICMP, the check measures a TCP connect to `fallbackPort` instead and says so, in its
 * message and as ping.isTcpFallback = 1 (the dashboard shows "TCP connect, ICMP not allowed").
 */
import { execFile } from 'node:child_process';
import type { ProbeCheck } from '../../shared/probe.js';
import { connectOnce } from './tcp.js';
import { DEFAULT_CHECK_TIMEOUT_MS, checkSample, describeError, roundMs, type CheckOutcome } from './types.js';

type PingCheck = Extract<ProbeCheck, { type: 'ping' }>;

/** TCP port measured when ICMP is not allowed. */
export const DEFAULT_PING_FALLBACK_PORT = 80;

/** What one ping run gave: packets sent and received, average round trip; or why ICMP is unavailable. */
export type PingRun = { kind: 'ran'; sent: number; received: number; avgMs: number | null } | { kind: 'unavailable'; reason: string };

/** Parses iputils/busybox ping output. Undefined when the output is not ping's summary. */
export function parsePingOutput(text: string): { sent: number; received: number; avgMs: number | null } | undefined {
  const counts = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(text);
  if (!counts) return undefined;
  const rtt = /= [\d.]+\/([\d.]+)\/[\d.]+/.exec(text);
  return { sent: Number(counts[1]), received: Number(counts[2]), avgMs: rtt ? Number(rtt[1]) : null };
}

/**
 * Parses Windows ping.exe output, in any language, by its numbers: a reply line carries `TTL=`
 * and its round trip as `time=12ms`, `tijd=12 ms` or `time<1ms` (taken as 0.5 ms); the summary
 * line has three counts (`Sent = 3, Received = 2, Lost = 1`, `verzonden = 3, ontvangen = 2,
 * verloren = 1`), the first of which is what was sent. "Destination host unreachable" counts as
 * received in that summary but is no reply: only TTL lines are. Undefined without a summary.
 */
export function parseWindowsPingOutput(text: string): { sent: number; received: number; avgMs: number | null } | undefined {
  let sent: number | undefined;
  const rtts: number[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/\bTTL=\d+/i.test(line)) {
      const rtt = /[=<]\s*(\d+(?:[.,]\d+)?)\s*ms\b/i.exec(line);
      const ms = rtt ? Number(rtt[1]!.replace(',', '.')) : NaN;
      rtts.push(rtt && line.includes(`<${rtt[1]}`) ? ms / 2 : ms);
      continue;
    }
    const counts = /=\s*(\d+)\s*,[^=]*=\s*(\d+)\s*,[^=]*=\s*(\d+)/.exec(line);
    if (counts && sent === undefined) sent = Number(counts[1]);
  }
  if (sent === undefined) return undefined;
  const timed = rtts.filter((n) => !Number.isNaN(n));
  return { sent, received: rtts.length, avgMs: timed.length > 0 ? timed.reduce((a, b) => a + b, 0) / timed.length : null };
}

/** The ping command line of a platform: iputils' flags, or ping.exe's (`-n count -w ms`). */
export function pingArgs(platform: NodeJS.Platform, host: string, count: number, timeoutMs: number): string[] {
  if (platform === 'win32') return ['-n', String(count), '-w', String(Math.max(1, Math.round(timeoutMs))), host];
  const waitSec = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  return ['-n', '-c', String(count), '-i', '0.2', '-W', waitSec, '--', host];
}

/** Runs `ping` once with `count` packets. */
export function runSystemPing(command: string, host: string, count: number, timeoutMs: number, platform: NodeJS.Platform = process.platform): Promise<PingRun> {
  return new Promise((resolve) => {
    // ping.exe waits up to -w per packet, one after the other.
    execFile(
      command,
      pingArgs(platform, host, count, timeoutMs),
      { timeout: timeoutMs * (platform === 'win32' ? count : 1) + count * 1_000 },
      (err, stdout, stderr) => {
        const parsed = platform === 'win32' ? parseWindowsPingOutput(stdout) : parsePingOutput(stdout);
        if (parsed) return resolve({ kind: 'ran', ...parsed });
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code === 'ENOENT') return resolve({ kind: 'unavailable', reason: `no ${command} program on this probe` });
        const text = `${stderr}`.trim() || describeError(err);
        if (/permitted|permission|socket|capabilit/i.test(text))
          return resolve({ kind: 'unavailable', reason: `ICMP not allowed on this probe (${text.split('\n')[0]})` });
        resolve({ kind: 'unavailable', reason: `ping failed: ${text.split('\n')[0]}` });
      },
    );
  });
}

/** Options of the ping check (tests point `pingCommand` elsewhere to play a probe without ICMP). */
export interface PingOptions {
  pingCommand?: string;
}

/** Runs a ping check. */
export async function runPingCheck(check: PingCheck, opts: PingOptions = {}): Promise<CheckOutcome> {
  const timeoutMs = check.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const count = check.count ?? 3;
  const run = await runSystemPing(opts.pingCommand ?? 'ping', check.host, count, timeoutMs);
  if (run.kind === 'ran') {
    const lossPct = run.sent === 0 ? 100 : Math.round(((run.sent - run.received) / run.sent) * 1000) / 10;
    const isUp = run.received > 0;
    const samples = [
      checkSample('check.isUp', check.id, isUp ? 1 : 0),
      checkSample('ping.lossPct', check.id, lossPct),
      checkSample('ping.isTcpFallback', check.id, 0),
    ];
    if (run.avgMs !== null) samples.push(checkSample('ping.rttMs', check.id, roundMs(run.avgMs)), checkSample('check.latencyMs', check.id, roundMs(run.avgMs)));
    const message = isUp
      ? `${check.host} answers ping: ${run.received}/${run.sent} replies, ${lossPct}% loss${run.avgMs !== null ? `, ${roundMs(run.avgMs)} ms round trip` : ''}`
      : `${check.host} does not answer ping: 0/${run.sent} replies`;
    return { result: { checkId: check.id, state: isUp ? 'ok' : 'failed', message }, samples };
  }
  // No ICMP here: a TCP connect tells at least whether the device is there.
  const port = check.fallbackPort ?? DEFAULT_PING_FALLBACK_PORT;
  let received = 0;
  let totalMs = 0;
  let lastError = '';
  for (let i = 0; i < count; i++) {
    try {
      totalMs += await connectOnce(check.host, port, timeoutMs);
      received++;
    } catch (err) {
      lastError = describeError(err);
    }
  }
  const lossPct = Math.round(((count - received) / count) * 1000) / 10;
  const isUp = received > 0;
  const samples = [
    checkSample('check.isUp', check.id, isUp ? 1 : 0),
    checkSample('ping.lossPct', check.id, lossPct),
    checkSample('ping.isTcpFallback', check.id, 1),
  ];
  if (isUp)
    samples.push(checkSample('ping.rttMs', check.id, roundMs(totalMs / received)), checkSample('check.latencyMs', check.id, roundMs(totalMs / received)));
  const how = `${run.reason}; measured a TCP connect to port ${port} instead`;
  const message = isUp
    ? `${check.host} answers: ${received}/${count} TCP connects, ${roundMs(totalMs / received)} ms (${how})`
    : `${check.host} does not answer: 0/${count} TCP connects to port ${port}: ${lastError} (${how})`;
  return { result: { checkId: check.id, state: isUp ? 'ok' : 'failed', message }, samples };
}
