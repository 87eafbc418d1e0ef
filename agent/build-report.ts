import type { Logger } from 'pino';
import { MAX_FRAME_BYTES, MAX_SAMPLES_PER_REPORT, PROTOCOL_VERSION } from '../shared/protocol-constants.js';
import type { Report, Sample } from '../shared/protocol.js';

/**
 * Builds a report that the server will accept: at most MAX_SAMPLES_PER_REPORT samples and a frame
 * under MAX_FRAME_BYTES. A machine with thousands of mounts or interfaces loses its tail samples
 * (logged) rather than every report being refused with a closed socket.
 */
export function buildReport(seq: number, tsMs: number, samples: Sample[], logger: Logger): Report {
  let metrics = samples.length > MAX_SAMPLES_PER_REPORT ? samples.slice(0, MAX_SAMPLES_PER_REPORT) : samples;
  let report: Report = { type: 'report', v: PROTOCOL_VERSION, seq, tsMs: Math.round(tsMs), metrics };
  // Leave room for the frame envelope and multi-byte characters.
  const budget = MAX_FRAME_BYTES - 1_024;
  let bytes = Buffer.byteLength(JSON.stringify(report));
  while (bytes > budget && metrics.length > 0) {
    metrics = metrics.slice(0, Math.floor(((metrics.length * budget) / bytes) * 0.95));
    report = { ...report, metrics };
    bytes = Buffer.byteLength(JSON.stringify(report));
  }
  if (metrics.length < samples.length) {
    logger.warn({ seq, collected: samples.length, sent: metrics.length }, 'report too large for one frame; dropped the tail samples');
  }
  return report;
}
