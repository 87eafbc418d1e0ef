/**
 * The agent checks frames, spool lines and its config by hand (no zod in the agent bundle); these
 * tables hold those checks to the zod schemas of shared/protocol.ts, frame by frame.
 */
import { describe, expect, it } from 'vitest';
import { agentConfigProblem, cleanFacts, decodeServerFrame, reportProblem } from '../../agent/wire.js';
import { checkAgentConfigFile } from '../../agent/config.js';
import { watchConfigProblem } from '../../agent/watch.js';
import { agentConfigSchema, decodeServerMessage, reportSchema, systemFactsSchema } from '../../shared/protocol.js';

const report = { type: 'report', v: 1, seq: 3, tsMs: 1_764_000_000_000, metrics: [{ name: 'fs.usedPct', labels: { mount: '/' }, value: 40 }] };

describe('hand-written agent checks agree with the zod schemas', () => {
  it.each<[string, unknown]>([
    ['a valid report', report],
    ['no metrics', { ...report, metrics: [] }],
    ['seq 0', { ...report, seq: 0 }],
    ['a float seq', { ...report, seq: 1.5 }],
    ['tsMs before 2000', { ...report, tsMs: 5 }],
    ['an unknown metric', { ...report, metrics: [{ name: 'cpu.magic', value: 1 }] }],
    ['missing labels', { ...report, metrics: [{ name: 'fs.usedPct', value: 1 }] }],
    ['an extra label', { ...report, metrics: [{ name: 'cpu.loadPct', labels: { core: '0' }, value: 1 }] }],
    ['an empty label value', { ...report, metrics: [{ name: 'fs.usedPct', labels: { mount: '' }, value: 1 }] }],
    ['a string value', { ...report, metrics: [{ name: 'cpu.loadPct', value: '1' }] }],
    ['an extra sample key', { ...report, metrics: [{ name: 'cpu.loadPct', value: 1, unit: '%' }] }],
    ['an extra report key', { ...report, deviceId: 'x' }],
    ['v 2', { ...report, v: 2 }],
  ])('report: %s', (_what, frame) => {
    expect(reportProblem(frame) === undefined).toBe(reportSchema.safeParse(frame).success);
  });

  it.each<[string, unknown]>([
    ['welcome', { type: 'welcome', v: 1, deviceId: 'd', serverVersion: '1', lastSeq: 0, config: { intervalMs: 10_000 } }],
    [
      'welcome with settings and a future field',
      {
        type: 'welcome',
        v: 1,
        deviceId: 'd',
        serverVersion: '1',
        lastSeq: 4,
        config: { intervalMs: 10_000, watchedServices: ['ssh'], collectors: { disks: false }, futureKnob: 1 },
        motd: 'hi',
      },
    ],
    ['welcome with a bad interval', { type: 'welcome', v: 1, deviceId: 'd', serverVersion: '1', lastSeq: 0, config: { intervalMs: 10 } }],
    ['welcome with a negative lastSeq', { type: 'welcome', v: 1, deviceId: 'd', serverVersion: '1', lastSeq: -1, config: { intervalMs: 10_000 } }],
    ['ack', { type: 'ack', v: 1, seq: 2 }],
    ['ack without seq', { type: 'ack', v: 1 }],
    ['error', { type: 'error', v: 1, code: 'X', message: 'm', retryable: false, seq: 3 }],
    ['error without retryable', { type: 'error', v: 1, code: 'X', message: 'm' }],
    ['config', { type: 'config', v: 1, config: { intervalMs: 30_000, watchedServices: ['nginx'] } }],
    ['config with a bad service list', { type: 'config', v: 1, config: { intervalMs: 30_000, watchedServices: [''] } }],
    ['credential', { type: 'credential', v: 1, deviceToken: 'qpd_0123456789abcdef' }],
    ['credential too short', { type: 'credential', v: 1, deviceToken: 'x' }],
    ['an unknown type', { type: 'reboot', v: 1 }],
    ['a newer version', { type: 'ack', v: 2, seq: 1 }],
    ['no version', { type: 'ack', seq: 1 }],
  ])('server frame: %s', (_what, frame) => {
    const text = JSON.stringify(frame);
    const mine = decodeServerFrame(text);
    const theirs = decodeServerMessage(text);
    expect(mine.ok).toBe(theirs.ok);
    if (!mine.ok && !theirs.ok) expect(mine.code).toBe(theirs.code);
    if (mine.ok && theirs.ok) expect(mine.message).toEqual(theirs.message);
  });

  it('config objects: the same verdict as agentConfigSchema', () => {
    const names = (n: number, length = 8) => Array.from({ length: n }, (_, i) => String(i).padStart(length, 's'));
    const threshold = { metric: 'cpu.loadPct', op: 'above', threshold: 90, clearThreshold: 80 };
    for (const c of [
      { intervalMs: 1_000 },
      { intervalMs: 999 },
      { intervalMs: 3_600_000 },
      { intervalMs: 3_600_001 },
      { intervalMs: 1_500.5 },
      { intervalMs: 5_000, collectors: { a: 'yes' } },
      { intervalMs: 5_000, collectors: { a: true } },
      { intervalMs: 5_000, watchedServices: [] },
      { intervalMs: 5_000, watchedServices: names(200) },
      { intervalMs: 5_000, watchedServices: names(201) },
      { intervalMs: 5_000, watchedServices: [''] },
      { intervalMs: 5_000, watchedServices: names(1, 200) },
      { intervalMs: 5_000, watchedServices: names(1, 201) },
      { intervalMs: 5_000, watchedServices: 'sshd' },
      { intervalMs: 5_000, watchedServices: [7] },
      { intervalMs: 5_000, update: { version: '1.2.3' } },
      { intervalMs: 5_000, update: { version: 'v'.repeat(50) } },
      { intervalMs: 5_000, update: { version: 'v'.repeat(51) } },
      { intervalMs: 5_000, update: { version: '' } },
      { intervalMs: 5_000, update: {} },
      { intervalMs: 5_000, update: '1.2.3' },
      { intervalMs: 5_000, watch: { thresholds: [] } },
      { intervalMs: 5_000, watch: { thresholds: [threshold, { ...threshold, metric: 'fs.usedPct', labels: { mount: '/' } }] } },
      { intervalMs: 5_000, watch: { thresholds: Array.from({ length: 101 }, () => threshold) } },
      { intervalMs: 5_000, watch: { thresholds: [{ ...threshold, metric: 'net.rxBytes' }] } },
      { intervalMs: 5_000, watch: { thresholds: [{ ...threshold, clearThreshold: 95 }] } },
      { intervalMs: 5_000, watch: { thresholds: [{ ...threshold, op: 'sideways' }] } },
      { intervalMs: 5_000, watch: {} },
      { intervalMs: 5_000, watch: [] },
      null,
      [],
    ]) {
      // The frame check leaves config.watch to agent/watch.ts (a bad list is ignored, not the
      // whole config); together the two give the schema's verdict.
      const watch = (c as { watch?: unknown } | null)?.watch;
      const agentVerdict = agentConfigProblem(c) === undefined && (watch === undefined || watchConfigProblem(watch) === undefined);
      expect(agentVerdict, JSON.stringify(c)).toBe(agentConfigSchema.safeParse(c).success);
    }
  });

  it('facts: keeps exactly what systemFactsSchema accepts', () => {
    const facts = cleanFacts({ platform: 'linux', distro: 'x'.repeat(201), cpuCores: 0, memTotalBytes: 1024, model: 'M', serial: 7, extra: 'no' });
    expect(facts).toEqual({ platform: 'linux', memTotalBytes: 1024, model: 'M' });
    expect(systemFactsSchema.safeParse(facts).success).toBe(true);
  });

  it('config file: every problem named by field', () => {
    expect(checkAgentConfigFile({ serverUrl: 'ftp://x', deviceId: '', intervalMS: 1 })).toEqual({
      ok: false,
      problems: [
        'unknown field(s) "intervalMS" (typo?)',
        'field "serverUrl" must be an http:// or https:// URL like "https://monitor.example.com"',
        'field "deviceId" must not be empty',
        'field "deviceToken" is missing',
      ],
    });
  });
});
