import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSpool, type Spool, type SpoolOptions } from '../../agent/spool.js';
import { PROTOCOL_VERSION, type Report } from '../../shared/protocol.js';
import { createTestLogger } from './helpers/test-logger.js';

let dir: string;
let log: ReturnType<typeof createTestLogger>;
const open: Spool[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-spool-'));
  log = createTestLogger();
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function spoolAt(opts: Partial<SpoolOptions> = {}): Spool {
  const s = openSpool({ dir, logger: log.logger, nowMs: () => Date.UTC(2025, 0, 2, 3, 4, 5, 6), ...opts });
  open.push(s);
  return s;
}

function reopen(s: Spool, opts: Partial<SpoolOptions> = {}): Spool {
  s.close();
  return spoolAt(opts);
}

function report(seq: number): Report {
  return { type: 'report', v: PROTOCOL_VERSION, seq, tsMs: 1_700_000_000_000 + seq * 10_000, metrics: [{ name: 'cpu.loadPct', value: seq % 100 }] };
}

function appendNew(s: Spool, count: number): void {
  for (let i = 0; i < count; i++) s.append(report(s.allocateSeq()));
}

const seqs = (s: Spool) => s.pending().map((e) => e.seq);
const journal = () => path.join(dir, 'spool.jsonl');
const journalLines = () => fs.readFileSync(journal(), 'utf8').split('\n').filter(Boolean);

describe('spool', () => {
  it('keeps appended reports in seq order, as their exact frames, until acked (cumulatively)', () => {
    const s = spoolAt();
    appendNew(s, 4);
    expect(seqs(s)).toEqual([1, 2, 3, 4]);
    expect(JSON.parse(s.pending()[0]!.frame)).toEqual(report(1));
    s.ack(2);
    expect(seqs(s)).toEqual([3, 4]);
    s.ack(1); // an older ack changes nothing
    expect(seqs(s)).toEqual([3, 4]);
    expect(s.remove(4)).toBe(true);
    expect(s.remove(4)).toBe(false);
    expect(seqs(s)).toEqual([3]);
  });

  it('creates a base64url stream id of at least 16 characters, stable across restarts', () => {
    const s = spoolAt();
    expect(s.streamId).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const again = reopen(s);
    expect(again.streamId).toBe(s.streamId);
    expect(spoolAt({ dir: fs.mkdtempSync(path.join(dir, 'other-')) }).streamId).not.toBe(s.streamId);
  });

  it('survives a restart: pending reports, acks, removals and the next seq are reloaded', () => {
    const s = spoolAt();
    appendNew(s, 5);
    s.ack(2);
    s.remove(4);
    const again = reopen(s);
    expect(seqs(again)).toEqual([3, 5]);
    expect(again.ackedSeq).toBe(2);
    expect(again.allocateSeq()).toBe(6);
  });

  it('keeps seq increasing across restarts even when everything was acked and compacted away', () => {
    const s = spoolAt({ compactMinDeadLines: 2 });
    appendNew(s, 3);
    s.ack(3);
    expect(journalLines()).toEqual([]);
    const again = reopen(s);
    expect(again.allocateSeq()).toBe(4);
  });

  it('refuses a seq that did not come from allocateSeq()', () => {
    const s = spoolAt();
    appendNew(s, 1);
    expect(() => s.append(report(1))).toThrow(/seq 1 is not a fresh seq/);
    expect(() => s.append(report(9))).toThrow(/seq 9 is not a fresh seq/);
  });

  it('is bounded by maxReports: drops the oldest and counts the drops, persistently', () => {
    const s = spoolAt({ maxReports: 3 });
    appendNew(s, 5);
    expect(seqs(s)).toEqual([3, 4, 5]);
    expect(s.droppedCount).toBe(2);
    const again = reopen(s, { maxReports: 3 });
    expect(seqs(again)).toEqual([3, 4, 5]);
    expect(again.droppedCount).toBe(2);
    const smaller = reopen(again, { maxReports: 1 });
    expect(seqs(smaller)).toEqual([5]);
    expect(smaller.droppedCount).toBe(4);
  });

  it('moves a journal with a corrupt line aside, logs the line number, and keeps the readable reports', () => {
    const s = spoolAt();
    appendNew(s, 3);
    s.close();
    const original = fs.readFileSync(journal(), 'utf8');
    const lines = original.split('\n');
    lines.splice(1, 0, '{"type":"report","v":1,"seq":'); // a torn write as line 2
    fs.writeFileSync(journal(), lines.join('\n'));

    const again = spoolAt();
    expect(seqs(again)).toEqual([1, 2, 3]);
    const moved = fs.readdirSync(dir).filter((f) => f.startsWith('spool.jsonl.corrupt-'));
    expect(moved).toEqual(['spool.jsonl.corrupt-2025-01-02T03-04-05-006Z']);
    expect(fs.readFileSync(path.join(dir, moved[0]!), 'utf8')).toBe(lines.join('\n'));
    const line = log.lines.find((l) => l.level === 50)!;
    expect(line.msg).toMatch(/^spool journal has 1 unreadable line\(s\), first at line 2: not valid JSON/);
    expect(line).toMatchObject({ file: journal(), movedTo: path.join(dir, moved[0]!), keptReports: 3 });
    // The rewritten journal is clean: appending and reopening works.
    appendNew(again, 1);
    expect(seqs(reopen(again))).toEqual([1, 2, 3, 4]);
  });

  it('moves a corrupt state file aside and starts a new stream whose seq stays above the spooled reports', () => {
    const s = spoolAt();
    appendNew(s, 2);
    const oldStream = s.streamId;
    s.close();
    fs.writeFileSync(path.join(dir, 'spool-state.json'), '{"streamId": 42');
    const again = spoolAt();
    expect(again.streamId).not.toBe(oldStream);
    expect(seqs(again)).toEqual([1, 2]);
    expect(again.allocateSeq()).toBe(3);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('spool-state.json.corrupt-'))).toBe(true);
    expect(log.lines.find((l) => l.level === 50)).toMatchObject({
      msg: 'spool state file is damaged; moved it aside and started a new stream id',
      file: path.join(dir, 'spool-state.json'),
    });
  });

  it('does not crash on a file of binary garbage', () => {
    fs.writeFileSync(journal(), Buffer.from([0xff, 0x00, 0x13, 0x0a, 0x7b, 0x0a]));
    const s = spoolAt();
    expect(seqs(s)).toEqual([]);
    appendNew(s, 1);
    expect(seqs(s)).toEqual([1]);
  });

  it('compacts the journal when acknowledged entries dominate, so it does not grow forever', () => {
    const s = spoolAt({ compactMinDeadLines: 10 });
    for (let i = 0; i < 50; i++) {
      appendNew(s, 1);
      s.ack(s.pending()[0]!.seq);
    }
    appendNew(s, 2);
    expect(journalLines().length).toBeLessThan(14);
    const again = reopen(s, { compactMinDeadLines: 10 });
    expect(seqs(again)).toEqual([51, 52]);
    expect(again.ackedSeq).toBe(50);
    expect(again.allocateSeq()).toBe(53);
  });

  it('does not compact while most entries are still live', () => {
    const s = spoolAt({ compactMinDeadLines: 2 });
    appendNew(s, 10);
    s.ack(2); // 2 acked reports + 1 marker = 3 dead lines, 8 live
    expect(journalLines()).toHaveLength(11);
  });
});
