import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer, type QuarkpulseServer } from '../../server/index.js';
import { enrollFleet } from '../../scripts/sim/enroll.js';
import { startFleet } from '../../scripts/sim/fleet.js';
import { ADMIN_PASSWORD } from '../helpers/test-server.js';

describe('agent simulator', () => {
  let server: QuarkpulseServer | undefined;
  let dataDir: string;
  afterEach(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (port = 0) => {
    const s = await createServer({ dataDir, adminPassword: ADMIN_PASSWORD, logger: pino({ level: 'silent' }) });
    const bound = await s.listen(port, '127.0.0.1');
    return { s, bound };
  };

  it('speaks the protocol: every acked report is stored exactly once, across a server restart', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'qp-sim-'));
    const first = await start();
    server = first.s;
    const url = server.url();
    const credentials = await enrollFleet({ serverUrl: url, username: 'admin', password: ADMIN_PASSWORD, count: 3 });
    const fleet = startFleet({ serverUrl: url, credentials, processes: 0, intervalMs: 1_000, rampMs: 100, isTrackingAcked: true });
    expect(await fleet.waitFor((s) => s.reportsAcked >= 6, 8_000, 100)).toBe(true);
    // Restart the server under the agents: they reconnect and replay what was not acked.
    await server.close();
    server = undefined;
    await new Promise((r) => setTimeout(r, 300));
    server = (await start(first.bound)).s;
    fleet.mark();
    expect(await fleet.waitFor((s) => s.ackedSinceMark === 3, 15_000, 100)).toBe(true);
    const final = await fleet.stop();
    // Connection errors while the server is down are expected; what counts is that nothing was refused.
    expect(final.stats.rejected).toBe(0);
    expect(final.agents).toHaveLength(3);
    for (const a of final.agents) {
      const rows = server.ctx.metrics.readHead(a.deviceId, 0, Date.now() + 60_000);
      const storedTs = rows.map((r) => r.tsMs);
      expect(a.ackedTs!.length).toBeGreaterThanOrEqual(3);
      for (const ts of a.ackedTs!) expect(storedTs.filter((x) => x === ts)).toHaveLength(1);
      // Seqs are unique too: nothing was stored twice under another key.
      expect(new Set(rows.map((r) => r.seq)).size).toBe(rows.length);
      // Every report carries a machine's worth of metrics.
      for (const r of rows) expect(r.seriesIds.length).toBeGreaterThanOrEqual(15);
    }
  });
});
