import { describe, expect, it } from 'vitest';
import { createCollectionRunner } from '../../agent/collect.js';
import type { Collector } from '../../agent/collectors/types.js';
import type { Sample } from '../../shared/protocol.js';
import { createTestLogger } from './helpers/test-logger.js';

function collector(name: string, collect: () => Promise<Sample[]>, init: () => Promise<boolean> = async () => true): Collector {
  return { name, init, collect };
}

const ok = (value: number) => collector('ok', async () => [{ name: 'load.avg1', value }]);
const never = () => new Promise<never>(() => undefined);

describe('collection runner', () => {
  it('a collector that throws or hangs does not stop the others', async () => {
    const { logger, lines } = createTestLogger();
    const runner = await createCollectionRunner({
      collectors: [
        collector('throws', async () => {
          throw new Error('sensor unplugged');
        }),
        collector('hangs', never),
        ok(1.5),
      ],
      logger,
      timeoutMs: 50,
    });
    expect((await runner.collectOnce()).samples).toEqual([{ name: 'load.avg1', value: 1.5 }]);
    expect(lines.find((l) => l.collector === 'throws')).toMatchObject({ level: 40, msg: 'collector failed; skipped this cycle', err: 'sensor unplugged' });
    expect(lines.find((l) => l.collector === 'hangs')).toMatchObject({ level: 40, msg: 'collector timed out; skipped this cycle' });
  });

  it('skips, and logs once, collectors whose init returns false, throws or hangs', async () => {
    const { logger, lines } = createTestLogger();
    let calls = 0;
    const counted = (name: string, init: () => Promise<boolean>) =>
      collector(
        name,
        async () => {
          calls++;
          return [];
        },
        init,
      );
    const runner = await createCollectionRunner({
      collectors: [
        counted('no-battery', async () => false),
        counted('init-throws', async () => {
          throw new Error('no /sys');
        }),
        counted('init-hangs', never),
        ok(2),
      ],
      logger,
      timeoutMs: 50,
    });
    expect(runner.activeCollectors).toEqual(['ok']);
    await runner.collectOnce();
    await runner.collectOnce();
    expect(calls).toBe(0);
    expect(lines.filter((l) => l.collector === 'no-battery').map((l) => l.msg)).toEqual(['collector not available on this machine; skipped']);
    expect(lines.filter((l) => l.collector === 'init-throws').map((l) => l.msg)).toEqual(['collector init failed; skipped']);
    expect(lines.filter((l) => l.collector === 'init-hangs').map((l) => l.err)).toEqual(['timed out after 50 ms']);
  });

  it('warns when a collector starts failing, not every cycle, and says when it recovers', async () => {
    const { logger, lines } = createTestLogger();
    let fail = true;
    const runner = await createCollectionRunner({
      collectors: [
        collector('flaky', async () => {
          if (fail) throw new Error('EIO');
          return [{ name: 'proc.count', value: 10 }];
        }),
      ],
      logger,
      timeoutMs: 50,
    });
    await runner.collectOnce();
    await runner.collectOnce();
    fail = false;
    expect((await runner.collectOnce()).samples).toEqual([{ name: 'proc.count', value: 10 }]);
    expect(lines.filter((l) => l.level >= 30).map((l) => l.msg)).toEqual(['collector failed; skipped this cycle', 'collector recovered']);
  });

  it('does not start a collector again while its previous call still hangs', async () => {
    const { logger } = createTestLogger();
    let calls = 0;
    const runner = await createCollectionRunner({
      collectors: [
        collector('hangs', () => {
          calls++;
          return never();
        }),
      ],
      logger,
      timeoutMs: 20,
    });
    await runner.collectOnce();
    await runner.collectOnce();
    expect(calls).toBe(1);
  });

  it('drops invalid samples (NaN, unknown metric, wrong labels) and keeps the valid ones', async () => {
    const { logger, lines } = createTestLogger();
    const runner = await createCollectionRunner({
      collectors: [
        collector('mixed', async () => [
          { name: 'cpu.loadPct', value: Number.NaN },
          { name: 'cpu.madeUp', value: 1 },
          { name: 'fs.usedPct', value: 50 },
          { name: 'fs.usedPct', labels: { mount: '/' }, value: 50 },
        ]),
      ],
      logger,
      timeoutMs: 50,
    });
    expect((await runner.collectOnce()).samples).toEqual([{ name: 'fs.usedPct', labels: { mount: '/' }, value: 50 }]);
    expect(lines.filter((l) => l.msg === 'collector produced an invalid sample; dropped').map((l) => l.metric)).toEqual([
      'cpu.loadPct',
      'cpu.madeUp',
      'fs.usedPct',
    ]);
  });
});
