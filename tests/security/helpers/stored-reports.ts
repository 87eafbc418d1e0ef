/**
 * Reads back, through the public REST metrics API, which reports of a spooling agent are stored
 * and how often: each report's cpu.loadPct point sits at base + seq·100 + attempt, so 1 ms buckets
 * tell every stored copy apart.
 */
import type { ApiClient } from '../../helpers/test-server.js';
import { TS_STEP_MS } from './spooling-agent.js';

const WINDOW_MS = 5_000;

/** seq → number of stored copies, for seqs 1..upTo of one device. */
export async function storedCopies(api: ApiClient, deviceId: string, baseTsMs: number, upTo: number): Promise<Map<number, number>> {
  const copies = new Map<number, number>();
  const endMs = baseTsMs + (upTo + 1) * TS_STEP_MS;
  for (let from = baseTsMs; from < endMs; from += WINDOW_MS) {
    const to = Math.min(from + WINDOW_MS, endMs);
    const r = await api.get(`/api/devices/${deviceId}/metrics?name=cpu.loadPct&from=${from}&to=${to}&points=${to - from}`);
    if (r.status !== 200) throw new Error(`metrics query failed: ${r.status} ${r.text}`);
    for (const s of r.json.series as { points: { tsMs: number }[] }[]) {
      for (const p of s.points) {
        const seq = Math.floor((p.tsMs - baseTsMs) / TS_STEP_MS);
        copies.set(seq, (copies.get(seq) ?? 0) + 1);
      }
    }
  }
  return copies;
}
