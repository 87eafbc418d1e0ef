/**
 * On-disk spool of reports the server has not acknowledged yet, so nothing collected is lost while
 * the server is unreachable or the agent restarts.
 *
 * Files in the state dir:
 *   spool.jsonl       append-only journal, one JSON object per line:
 *                       {"type":"report",…}                  a report, exactly the frame to send
 *                       {"op":"ack","seq":n}                  everything ≤ n is stored by the server
 *                       {"op":"remove","seq":n}               n was refused for good
 *                       {"op":"drop","seq":n,"droppedCount":c} n was dropped to keep the bound
 *   spool-state.json  { streamId, nextSeq, ackedSeq, droppedCount }, written on creation and on
 *                     compaction (temp file + rename). Between compactions the journal's markers
 *                     carry the newer values; every marker is idempotent, so replaying a journal
 *                     over a newer state file gives the same result.
 * Writes are synchronous: one small line per interval, and the order on disk is the order of calls.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Report } from '../shared/protocol.js';
import { reportProblem } from './wire.js';

/** A spooled report: its seq and the exact JSON text frame to send. */
export interface SpoolEntry {
  readonly seq: number;
  /** Kept as text, not as an object: replay needs no re-serialisation and memory stays compact. */
  readonly frame: string;
}

/** Options of openSpool. */
export interface SpoolOptions {
  /** Directory for spool.jsonl and spool-state.json (created 0700 when missing). */
  readonly dir: string;
  readonly logger: Logger;
  /** Most unacknowledged reports kept; the oldest is dropped beyond it. Default 2,000 (5.5 h at 10 s). */
  readonly maxReports?: number;
  /** Compact once at least this many journal lines are dead and they outnumber the live ones. */
  readonly compactMinDeadLines?: number;
  /** Wall clock, ms; names moved-aside files. */
  readonly nowMs?: () => number;
}

/** The spool's public face. */
export interface Spool {
  /** Random id of this agent's seq stream; a new one tells the server seq starts over. */
  readonly streamId: string;
  /** Highest seq the server has acknowledged (or announced as stored). */
  readonly ackedSeq: number;
  /** Reports dropped because the spool was full, over the agent's whole life. */
  readonly droppedCount: number;
  /** Reserves the next seq number; never returns the same number twice on this stream. */
  allocateSeq(): number;
  /** Stores a report (seq from allocateSeq, increasing); drops the oldest beyond maxReports. */
  append(report: Report): void;
  /** Cumulative acknowledgement: drops every report with seq ≤ `seq`. */
  ack(seq: number): void;
  /** Drops one report the server refused for good; false if it was not spooled. */
  remove(seq: number): boolean;
  /** Unacknowledged reports in seq order. The array is live; do not keep it across calls. */
  pending(): readonly SpoolEntry[];
  /** Closes the journal file. */
  close(): void;
}

/** Default bound on spooled reports. */
export const DEFAULT_SPOOL_MAX_REPORTS = 2_000;

const JOURNAL_FILE = 'spool.jsonl';
const STATE_FILE = 'spool-state.json';

interface SpoolState {
  streamId: string;
  nextSeq: number;
  ackedSeq: number;
  droppedCount: number;
}

type Marker = { op: 'ack'; seq: number } | { op: 'remove'; seq: number } | { op: 'drop'; seq: number; droppedCount: number };

const isCount = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min;

/** Why the state file's content is unusable (naming the field), or undefined. */
function stateProblem(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not a JSON object';
  const r = raw as Record<string, unknown>;
  if (typeof r.streamId !== 'string' || !/^[A-Za-z0-9_-]{16,64}$/.test(r.streamId)) return 'field "streamId": must be 16–64 characters of A-Z a-z 0-9 _ -';
  if (!isCount(r.nextSeq, 1)) return 'field "nextSeq": must be an integer ≥ 1';
  if (!isCount(r.ackedSeq, 0)) return 'field "ackedSeq": must be an integer ≥ 0';
  if (!isCount(r.droppedCount, 0)) return 'field "droppedCount": must be an integer ≥ 0';
  return undefined;
}

/** The journal marker in a parsed line, or undefined when it is not one. */
function asMarker(raw: unknown): Marker | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (r.op === 'ack' && isCount(r.seq, 0)) return { op: 'ack', seq: r.seq };
  if (r.op === 'remove' && isCount(r.seq, 1)) return { op: 'remove', seq: r.seq };
  if (r.op === 'drop' && isCount(r.seq, 1) && isCount(r.droppedCount, 0)) return { op: 'drop', seq: r.seq, droppedCount: r.droppedCount };
  return undefined;
}

/** A fresh stream id: 18 random bytes → 24 base64url characters. */
export function generateStreamId(): string {
  return randomBytes(18).toString('base64url');
}

/** Writes a file atomically: temp file, fsync, rename; readers see the old or the new file, never half. */
function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Renames a damaged file to `<file>.corrupt-<ts>` (never deletes it) and returns the new name. */
function moveAside(file: string, nowMs: number): string {
  const ts = new Date(nowMs).toISOString().replace(/[:.]/g, '-');
  let target = `${file}.corrupt-${ts}`;
  for (let n = 1; fs.existsSync(target); n++) target = `${file}.corrupt-${ts}-${n}`;
  fs.renameSync(file, target);
  return target;
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Opens (or creates) the spool in `dir`, replaying the journal. A damaged state file or journal is
 * moved aside and logged with the file and line numbers; the readable part is kept.
 */
export function openSpool(opts: SpoolOptions): Spool {
  const { dir, logger } = opts;
  const maxReports = opts.maxReports ?? DEFAULT_SPOOL_MAX_REPORTS;
  const compactMinDeadLines = opts.compactMinDeadLines ?? 256;
  const nowMs = opts.nowMs ?? Date.now;
  if (!(Number.isInteger(maxReports) && maxReports >= 1)) throw new Error(`spool maxReports must be an integer ≥ 1, got ${maxReports}`);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const journalFile = path.join(dir, JOURNAL_FILE);
  const stateFile = path.join(dir, STATE_FILE);

  const saved = loadState();
  const replay = replayJournal();
  let entries = [...replay.reports.values()].filter((e) => e.seq > replay.ackedSeq).sort((a, b) => a.seq - b.seq);
  const maxSeq = Math.max(0, replay.maxSeq, ...entries.map((e) => e.seq));
  const state: SpoolState = {
    streamId: saved?.streamId ?? generateStreamId(),
    ackedSeq: Math.max(saved?.ackedSeq ?? 0, replay.ackedSeq),
    droppedCount: Math.max(saved?.droppedCount ?? 0, replay.droppedCount),
    nextSeq: 1,
  };
  state.nextSeq = Math.max(saved?.nextSeq ?? 1, maxSeq + 1, state.ackedSeq + 1);
  entries = entries.filter((e) => e.seq > state.ackedSeq);
  let deadLines = replay.lineCount - entries.length;
  let fd = -1;
  // A lowered maxReports applies to what is already spooled, too.
  const overflow = Math.max(0, entries.length - maxReports);
  if (overflow > 0) {
    entries = entries.slice(overflow);
    state.droppedCount += overflow;
    logger.warn({ dropped: overflow, maxReports }, 'spool holds more reports than allowed; dropped the oldest');
  }
  if (!saved || replay.damaged || overflow > 0) compact();
  else fd = fs.openSync(journalFile, 'a', 0o600);
  if (entries.length > 0) logger.info({ pending: entries.length, fromSeq: entries[0]!.seq, streamId: state.streamId }, 'spool reloaded');

  function loadState(): SpoolState | undefined {
    const text = readIfExists(stateFile);
    if (text === undefined) return undefined;
    let problem: string;
    try {
      const raw: unknown = JSON.parse(text);
      const found = stateProblem(raw);
      if (!found) {
        const r = raw as SpoolState;
        return { streamId: r.streamId, nextSeq: r.nextSeq, ackedSeq: r.ackedSeq, droppedCount: r.droppedCount };
      }
      problem = found;
    } catch (err) {
      problem = `not valid JSON: ${(err as Error).message}`;
    }
    const movedTo = moveAside(stateFile, nowMs());
    logger.error({ file: stateFile, movedTo, problem }, 'spool state file is damaged; moved it aside and started a new stream id');
    return undefined;
  }

  function replayJournal() {
    const result = { reports: new Map<number, SpoolEntry>(), ackedSeq: 0, droppedCount: 0, maxSeq: 0, lineCount: 0, damaged: false };
    const text = readIfExists(journalFile);
    if (text === undefined) return result;
    const badLines: { line: number; problem: string }[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      result.lineCount++;
      const problem = applyLine(line, result);
      if (problem) badLines.push({ line: i + 1, problem });
    });
    if (badLines.length > 0) {
      result.damaged = true;
      const movedTo = moveAside(journalFile, nowMs());
      logger.error(
        { file: journalFile, movedTo, badLineCount: badLines.length, badLines: badLines.slice(0, 10), keptReports: result.reports.size },
        `spool journal has ${badLines.length} unreadable line(s), first at line ${badLines[0]!.line}: ${badLines[0]!.problem}; moved the file aside and kept the readable reports`,
      );
    }
    return result;
  }

  // Returns a problem description for a bad line, undefined when the line was applied.
  function applyLine(line: string, r: ReturnType<typeof replayJournal>): string | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      return `not valid JSON (${(err as Error).message})`;
    }
    if (typeof raw === 'object' && raw !== null && (raw as { type?: unknown }).type === 'report') {
      const problem = reportProblem(raw);
      if (problem) return `invalid report: ${problem}`;
      const seq = (raw as Report).seq;
      r.reports.set(seq, { seq, frame: line });
      r.maxSeq = Math.max(r.maxSeq, seq);
      return undefined;
    }
    const m = asMarker(raw);
    if (!m) return 'neither a report nor a spool marker';
    r.maxSeq = Math.max(r.maxSeq, m.seq);
    if (m.op === 'ack') r.ackedSeq = Math.max(r.ackedSeq, m.seq);
    else r.reports.delete(m.seq);
    if (m.op === 'drop') r.droppedCount = Math.max(r.droppedCount, m.droppedCount);
    return undefined;
  }

  function writeLine(line: string): void {
    fs.writeSync(fd, `${line}\n`);
  }

  // Rewrites state and journal so the journal holds live reports only. State first: if we crash
  // between the two renames, the old journal replayed over the new state still gives the same set.
  function compact(): void {
    writeFileAtomic(stateFile, `${JSON.stringify(state)}\n`);
    writeFileAtomic(journalFile, entries.map((e) => `${e.frame}\n`).join(''));
    if (fd >= 0) fs.closeSync(fd);
    fd = fs.openSync(journalFile, 'a', 0o600);
    deadLines = 0;
  }

  function maybeCompact(): void {
    if (deadLines >= compactMinDeadLines && deadLines > entries.length) compact();
  }

  return {
    get streamId() {
      return state.streamId;
    },
    get ackedSeq() {
      return state.ackedSeq;
    },
    get droppedCount() {
      return state.droppedCount;
    },
    allocateSeq() {
      return state.nextSeq++;
    },
    append(report) {
      const last = entries[entries.length - 1]?.seq ?? state.ackedSeq;
      if (report.seq <= last || report.seq >= state.nextSeq) {
        throw new Error(`spool append: seq ${report.seq} is not a fresh seq from allocateSeq() (last spooled ${last}, next ${state.nextSeq})`);
      }
      const frame = JSON.stringify(report);
      writeLine(frame);
      entries.push({ seq: report.seq, frame });
      if (entries.length > maxReports) {
        const dropped = entries.shift()!;
        state.droppedCount++;
        writeLine(JSON.stringify({ op: 'drop', seq: dropped.seq, droppedCount: state.droppedCount }));
        deadLines += 2;
        logger.warn({ seq: dropped.seq, droppedCount: state.droppedCount, maxReports }, 'spool full; dropped the oldest unacknowledged report');
        maybeCompact();
      }
    },
    ack(seq) {
      if (seq <= state.ackedSeq) return;
      state.ackedSeq = seq;
      // The server holds seq; reusing any number ≤ it would be taken for a duplicate.
      state.nextSeq = Math.max(state.nextSeq, seq + 1);
      let n = 0;
      while (n < entries.length && entries[n]!.seq <= seq) n++;
      entries.splice(0, n);
      writeLine(JSON.stringify({ op: 'ack', seq }));
      deadLines += n + 1;
      maybeCompact();
    },
    remove(seq) {
      const i = entries.findIndex((e) => e.seq === seq);
      if (i < 0) return false;
      entries.splice(i, 1);
      writeLine(JSON.stringify({ op: 'remove', seq }));
      deadLines += 2;
      maybeCompact();
      return true;
    },
    pending() {
      return entries;
    },
    close() {
      if (fd >= 0) fs.closeSync(fd);
      fd = -1;
    },
  };
}
