/**
 * Property-based fuzzing of the agent WebSocket (fast-check) against a real server on a real
 * socket. One connection takes every generated frame — malformed JSON, JSON that is not an
 * object, unknown types, other protocol versions, reports with wrong types, huge numbers,
 * Infinity/NaN, unknown metrics and extra keys, binary frames — and must answer each with exactly
 * one error frame carrying its precise code (and the report's seq when it has a valid one),
 * while generated valid reports are acked. Nothing from an invalid frame is stored; the same
 * connection and another agent keep being served; oversized frames close with 1009.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_MESSAGE_TYPES, AGENT_WS_PATH, MAX_FRAME_BYTES, decodeAgentMessage } from '../../shared/protocol.js';
import { METRICS } from '../../shared/metrics.js';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { WsTestClient } from '../helpers/ws-client.js';

const STREAM = 'stream-fuzz-0001';
const BASE_TS = Date.now() - 86_400_000;
let cases = 0;
let decoderCases = 0;

/** A valid sample of any known metric, with the labels it needs. */
const sampleArb = fc.constantFrom(...METRICS).chain((def) =>
  fc
    .record({
      name: fc.constant(def.name),
      labels: def.labelKeys.length ? fc.constant(Object.fromEntries(def.labelKeys.map((k) => [k, `${k}-1`]))) : fc.constant(undefined),
      value: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }),
    })
    .map((s) => (s.labels === undefined ? { name: s.name, value: s.value } : s)),
);

/** A report whose seq the test fills in (so valid ones are acked in order). */
const reportBodyArb = fc.record({ metrics: fc.array(sampleArb, { maxLength: 20 }) });

/** Values that are wrong almost anywhere in a report. */
const badValueArb = fc.oneof(
  fc.constantFrom<unknown>(null, true, 'text', '', [], {}, -1, 0, 1.5, 2 ** 53, -(2 ** 53), 1e308, -1e308),
  fc.string({ maxLength: 30 }),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
);
/** Raw JSON number tokens JSON.stringify cannot write: they parse to ±Infinity or are not JSON at all. */
const rawNumberArb = fc.constantFrom('1e999', '-1e999', '1E400', 'NaN', 'Infinity', '-Infinity', '0x10', '01', '.5', '1.', '+1');

/**
 * The test's own oracle of what the protocol allows where (docs/PROTOCOL.md), so a generated
 * "bad" value that happens to be fine there (1e308 is a finite sample value) is not sent as bad.
 */
function isAllowedAt(field: string, v: unknown): boolean {
  switch (field) {
    case 'seq':
      return Number.isSafeInteger(v) && (v as number) >= 1;
    case 'tsMs':
      return Number.isInteger(v) && (v as number) >= 946_684_800_000 && (v as number) <= 32_503_680_000_000;
    case 'metrics':
      return Array.isArray(v) && v.length === 0;
    case 'metric.value':
      return typeof v === 'number' && Number.isFinite(v);
    case 'metric.labels':
      return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;
    case 'metric.name':
      return METRICS.some((d) => d.name === v && d.labelKeys.length === 0);
    default:
      return false;
  }
}

describe('agent protocol fuzzing', () => {
  let t: TestServer;
  let api: ApiClient;
  let fuzzed: WsTestClient;
  let control: WsTestClient;
  let deviceId: string;
  let nextSeq = 1;
  let controlSeq = 1;
  let validAcked = 0;

  beforeAll(async () => {
    // Flood limits are tested elsewhere; here every frame must be judged on its content.
    t = await startTestServer({
      ingestMaxDelayMs: 1,
      agentRateLimit: { burstFrames: 1e9, refillFramesPerSec: 1e9, burstValues: 1e12, refillValuesPerSec: 1e12, maxRefusedPerWait: 1e9 },
    });
    api = new ApiClient(t.url);
    await api.login();
    const a = await enrollTestDevice(api, { hostname: 'fuzzed' });
    const b = await enrollTestDevice(api, { hostname: 'control' });
    deviceId = a.deviceId;
    const url = t.url.replace('http', 'ws') + AGENT_WS_PATH;
    fuzzed = await WsTestClient.connect(url, { authorization: `Bearer ${a.deviceToken}` });
    control = await WsTestClient.connect(url, { authorization: `Bearer ${b.deviceToken}` });
    for (const [c, s] of [
      [fuzzed, STREAM],
      [control, 'stream-control-1'],
    ] as const) {
      c.send({ type: 'hello', v: 1, agentVersion: 'fuzz', hostname: 'h', streamId: s, intervalMs: 10_000 });
      await c.next((m) => m.type === 'welcome');
    }
  });
  afterAll(async () => {
    fuzzed?.ws.terminate();
    control?.ws.terminate();
    console.info(
      `agent fuzz: ${cases} generated frames on the socket (${validAcked} of them valid reports, acked), ${decoderCases} strings through the decoder`,
    );
    await t?.close();
  });

  /** Sends one frame and returns the one answer it gets. */
  async function answerTo(frame: string | Buffer): Promise<any> {
    cases++;
    if (typeof frame === 'string') fuzzed.send(frame);
    else fuzzed.ws.send(frame, { binary: true });
    return fuzzed.next((m) => m.type === 'error' || m.type === 'ack', 5_000);
  }
  function expectRefused(answer: any, code: string | string[], seq?: number): void {
    expect(answer.type).toBe('error');
    expect(Array.isArray(code) ? code : [code]).toContain(answer.code);
    expect(answer.retryable).toBe(false);
    expect(typeof answer.message).toBe('string');
    expect(answer.seq).toBe(seq);
  }
  async function controlStillServed(): Promise<void> {
    const seq = controlSeq++;
    control.send({ type: 'report', v: 1, seq, tsMs: BASE_TS + seq, metrics: [{ name: 'cpu.loadPct', value: 1 }] });
    expect(await control.next((m) => m.type === 'ack' && m.seq === seq)).toMatchObject({ seq });
  }

  it('decodes any string without throwing (unit level)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.json({ maxDepth: 4 })), (text) => {
        decoderCases++;
        const r = decodeAgentMessage(text);
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 1_000 },
    );
  });

  it('answers text that is not JSON with INVALID_JSON', async () => {
    const notJson = fc.oneof(
      fc.string({ maxLength: 200 }).filter((s) => {
        try {
          JSON.parse(s);
          return false;
        } catch {
          return true;
        }
      }),
      // Valid frames cut short.
      fc.integer({ min: 1, max: 60 }).map((n) => JSON.stringify({ type: 'report', v: 1, seq: 1, tsMs: BASE_TS, metrics: [] }).slice(0, n)),
      rawNumberArb.filter((raw) => raw !== '1e999' && raw !== '-1e999' && raw !== '1E400').map((raw) => `{"type":"report","v":1,"seq":${raw}}`),
    );
    await fc.assert(
      fc.asyncProperty(notJson, async (text) => {
        expectRefused(await answerTo(text), 'INVALID_JSON');
      }),
      { numRuns: 150 },
    );
    await controlStillServed();
  });

  it('answers JSON that is not an object with INVALID_MESSAGE', async () => {
    const notObject = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.string(),
      fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(notObject, async (value) => {
        expectRefused(await answerTo(JSON.stringify(value)), 'INVALID_MESSAGE');
      }),
      { numRuns: 100 },
    );
  });

  it('answers unknown message types with UNKNOWN_TYPE and other versions with UNSUPPORTED_VERSION', async () => {
    const unknownType = fc
      .record({ type: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(null)), v: fc.constant(1), extra: fc.jsonValue({ maxDepth: 2 }) })
      .filter((m) => !(AGENT_MESSAGE_TYPES as readonly unknown[]).includes(m.type));
    await fc.assert(
      fc.asyncProperty(unknownType, async (m) => {
        expectRefused(await answerTo(JSON.stringify(m)), 'UNKNOWN_TYPE');
      }),
      { numRuns: 100 },
    );
    const otherVersion = fc.record({
      seq: fc.integer({ min: 1, max: 1e9 }),
      v: fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.constant(null)).filter((v) => v !== 1),
    });
    await fc.assert(
      fc.asyncProperty(otherVersion, async ({ seq, v }) => {
        const a = await answerTo(JSON.stringify({ type: 'report', v, seq, tsMs: BASE_TS, metrics: [] }));
        expectRefused(a, 'UNSUPPORTED_VERSION', seq);
      }),
      { numRuns: 100 },
    );
    await controlStillServed();
  });

  it('refuses reports with a wrong field precisely, echoes a valid seq, stores nothing, and acks the valid ones', async () => {
    const field = fc.constantFrom('seq', 'tsMs', 'metrics', 'metric.name', 'metric.value', 'metric.labels', 'extra', 'deviceId');
    const mutation = fc.record({ body: reportBodyArb, field, bad: badValueArb, raw: rawNumberArb, useRaw: fc.boolean(), valid: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(mutation, async ({ body, field: f, bad, raw, useRaw, valid }) => {
        if (valid) {
          // Interleave valid reports: acked in order.
          const seq = nextSeq++;
          const a = await answerTo(
            JSON.stringify({ type: 'report', v: 1, seq, tsMs: BASE_TS + seq * 1000, metrics: [{ name: 'proc.count', value: seq }, ...body.metrics] }),
          );
          expect(a).toEqual({ type: 'ack', v: 1, seq });
          validAcked++;
          return;
        }
        fc.pre(useRaw || !isAllowedAt(f, bad));
        // Invalid reports carry seqs far above the valid ones: storing one would show in lastSeq.
        const seq = 1_000_000 + cases;
        const report: Record<string, unknown> = { type: 'report', v: 1, seq, tsMs: BASE_TS, metrics: [{ name: 'cpu.loadPct', value: 5 }, ...body.metrics] };
        const metric = (report.metrics as Record<string, unknown>[])[0]!;
        const PLACEHOLDER = '"__RAW__"';
        const badValue = useRaw ? '__RAW__' : bad;
        let expected: string[] = ['INVALID_MESSAGE'];
        if (f === 'seq') report.seq = badValue;
        else if (f === 'tsMs') report.tsMs = badValue;
        else if (f === 'metrics') report.metrics = badValue;
        else if (f === 'metric.name') {
          metric.name = badValue;
          if (typeof badValue === 'string' && !useRaw) expected = ['UNKNOWN_METRIC', 'INVALID_MESSAGE'];
        } else if (f === 'metric.value') metric.value = badValue;
        else if (f === 'metric.labels') {
          metric.labels = badValue;
          expected = ['UNKNOWN_METRIC', 'INVALID_MESSAGE'];
        } else report[f] = badValue;
        let text = JSON.stringify(report);
        if (useRaw) text = text.replace(PLACEHOLDER, raw);
        const isJson = (() => {
          try {
            JSON.parse(text);
            return true;
          } catch {
            return false;
          }
        })();
        // Some "bad" values are fine where they landed (an empty label object on a label-less metric, a string for an extra key is still an unknown key…): only assert what must hold.
        const a = await answerTo(text);
        if (!isJson) return expectRefused(a, 'INVALID_JSON');
        expect(a.type, text).toBe('error');
        expect(expected, text).toContain(a.code);
        expect(a.retryable).toBe(false);
        const seqStays = f !== 'seq';
        expect(a.seq).toBe(seqStays ? seq : undefined);
      }),
      { numRuns: 300 },
    );
    await controlStillServed();
    // Nothing from an invalid report was stored: the stream ends at the last valid seq, and
    // proc.count (only in valid reports) has one point per acked report.
    expect(t.server.ctx.devices.lastSeq(deviceId, STREAM)).toBe(nextSeq - 1);
    const r = await api.get(`/api/devices/${deviceId}/metrics?name=proc.count&from=${BASE_TS}&to=${BASE_TS + 3_600_000}&points=5000`);
    expect(r.json.series.flatMap((s: { points: unknown[] }) => s.points)).toHaveLength(nextSeq - 1);
  });

  it('answers binary frames with BINARY_NOT_SUPPORTED', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2_000 }), async (bytes) => {
        expectRefused(await answerTo(Buffer.from(bytes)), 'BINARY_NOT_SUPPORTED');
      }),
      { numRuns: 50 },
    );
    await controlStillServed();
  });

  it('closes an oversized frame with 1009 while the other agent is served', async () => {
    const { deviceToken } = await enrollTestDevice(api, { hostname: 'big' });
    const url = t.url.replace('http', 'ws') + AGENT_WS_PATH;
    for (const size of [MAX_FRAME_BYTES + 1, MAX_FRAME_BYTES * 4]) {
      const big = await WsTestClient.connect(url, { authorization: `Bearer ${deviceToken}` });
      cases++;
      big.send(JSON.stringify({ type: 'report', v: 1, seq: 1, tsMs: BASE_TS, metrics: [], pad: 'x'.repeat(size) }));
      expect((await big.closed).code).toBe(1009);
    }
    await controlStillServed();
    // The fuzzed connection survived everything above.
    const seq = nextSeq++;
    expect(await answerTo(JSON.stringify({ type: 'report', v: 1, seq, tsMs: BASE_TS + seq * 1000, metrics: [{ name: 'proc.count', value: 1 }] }))).toEqual({
      type: 'ack',
      v: 1,
      seq,
    });
  });
});
