/**
 * What a power cut or a kill in the middle of a self-update leaves behind, and what the next
 * start makes of it (agent/self-update.ts): the executable path only ever holds a whole file, a
 * half-written download is never started and is removed, and an unconfirmed new version started
 * outside its trial puts the previous executable back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { detectRestartMode, readUpdateState, recoverInterruptedUpdate, restorePrevious, swapIn, writeUpdateState } from '../../agent/self-update.js';

const logger = pino({ level: 'silent' });
let dir: string;
let exe: string;
let stateDir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-update-recovery-'));
  exe = path.join(dir, 'bin', 'quarkpulse-agent');
  stateDir = path.join(dir, 'state');
  fs.mkdirSync(path.dirname(exe));
  fs.writeFileSync(exe, 'version A', { mode: 0o755 });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const download = () => path.join(dir, 'bin', '.quarkpulse-agent.download');

describe('self-update: interrupted updates', () => {
  it('swapIn writes phase "trying" before the rename and keeps the previous executable', () => {
    fs.writeFileSync(download(), 'version B');
    swapIn({ version: 'B', file: download(), executable: exe }, stateDir, 'A', 1_000);
    expect(fs.readFileSync(exe, 'utf8')).toBe('version B');
    expect(fs.readFileSync(`${exe}.previous`, 'utf8')).toBe('version A');
    expect(fs.existsSync(download())).toBe(false);
    expect(readUpdateState(stateDir)).toMatchObject({ phase: 'trying', fromVersion: 'A', toVersion: 'B', deadlineMs: 1_000 });
    expect(restorePrevious(exe)).toBe(true);
    expect(fs.readFileSync(exe, 'utf8')).toBe('version A');
  });

  it('power cut during the download: the half-written file is never at the executable path and is removed at the next start', () => {
    fs.writeFileSync(download(), 'versi'); // cut short
    writeUpdateState(stateDir, { v: 1, phase: 'idle' });
    // Nothing was swapped (phase idle): A starts as before, and the leftover is removed.
    expect(recoverInterruptedUpdate({ stateDir, executable: exe, agentVersion: 'A', isTrial: false, logger })).toBe('continue');
    expect(fs.readFileSync(exe, 'utf8')).toBe('version A');
    expect(fs.existsSync(download())).toBe(false);
  });

  it('power cut after "trying" was written but before the rename: A starts, the leftovers go, the failure is recorded', () => {
    fs.writeFileSync(download(), 'version B');
    writeUpdateState(stateDir, { v: 1, phase: 'trying', fromVersion: 'A', toVersion: 'B', deadlineMs: 1 });
    expect(recoverInterruptedUpdate({ stateDir, executable: exe, agentVersion: 'A', isTrial: false, logger, now: () => 5 })).toBe('continue');
    expect(fs.existsSync(download())).toBe(false);
    expect(fs.readFileSync(exe, 'utf8')).toBe('version A');
    expect(readUpdateState(stateDir)).toEqual({
      v: 1,
      phase: 'idle',
      last: { version: 'B', state: 'failed', code: 'UPDATE_INTERRUPTED', message: 'the update to B was interrupted; still running A', tsMs: 5 },
    });
  });

  it('power cut during the trial: the unconfirmed B, started by the service manager, puts A back and asks to be restarted', () => {
    fs.writeFileSync(download(), 'version B');
    swapIn({ version: 'B', file: download(), executable: exe }, stateDir, 'A', 1);
    expect(recoverInterruptedUpdate({ stateDir, executable: exe, agentVersion: 'B', isTrial: false, logger, now: () => 7 })).toBe('relaunch');
    expect(fs.readFileSync(exe, 'utf8')).toBe('version A');
    expect(readUpdateState(stateDir).last).toMatchObject({ version: 'B', state: 'failed', code: 'UPDATE_INTERRUPTED' });
  });

  it('the trial child itself is not treated as interrupted; a confirmed update is left alone', () => {
    fs.writeFileSync(download(), 'version B');
    swapIn({ version: 'B', file: download(), executable: exe }, stateDir, 'A', 1);
    expect(recoverInterruptedUpdate({ stateDir, executable: exe, agentVersion: 'B', isTrial: true, logger })).toBe('continue');
    writeUpdateState(stateDir, { v: 1, phase: 'confirmed', fromVersion: 'A', toVersion: 'B' });
    expect(recoverInterruptedUpdate({ stateDir, executable: exe, agentVersion: 'B', isTrial: false, logger })).toBe('continue');
    expect(fs.readFileSync(exe, 'utf8')).toBe('version B');
  });

  it('restart mode: a service manager (systemd INVOCATION_ID, the Windows host) or re-exec', () => {
    expect(detectRestartMode({ INVOCATION_ID: 'abc' })).toBe('service');
    expect(detectRestartMode({ QP_SERVICE_MANAGER: 'windows-service' })).toBe('service');
    expect(detectRestartMode({})).toBe('reexec');
    expect(detectRestartMode({ INVOCATION_ID: 'abc', QP_RESTART_MODE: 'reexec' })).toBe('reexec');
  });
});
