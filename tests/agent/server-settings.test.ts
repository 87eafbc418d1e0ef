import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadServerSettings, saveServerSettings } from '../../agent/server-settings.js';
import { createTestLogger } from './helpers/test-logger.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-settings-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('remembered server settings', () => {
  it('round-trips what the server pushed (0600)', () => {
    const log = createTestLogger();
    saveServerSettings(dir, { intervalMs: 30_000, watchedServices: ['ssh'], collectors: { disks: false } }, log.logger);
    expect(fs.statSync(path.join(dir, 'server-settings.json')).mode & 0o777).toBe(0o600);
    expect(loadServerSettings(dir, log.logger)).toEqual({ intervalMs: 30_000, watchedServices: ['ssh'], collectors: { disks: false } });
    expect(loadServerSettings(fs.mkdtempSync(path.join(dir, 'empty-')), log.logger)).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"intervalMs": 30', /^not valid JSON: /],
    ['a bad interval', '{"intervalMs": 5}', 'field "intervalMs" must be an integer 1000–3600000'],
    ['a bad service list', '{"intervalMs": 5000, "watchedServices": [1]}', 'field "watchedServices" must be a list of names'],
  ])('a damaged file (%s) is moved aside with a precise log line, not deleted, and does not stop the agent', (_what, text, problem) => {
    const file = path.join(dir, 'server-settings.json');
    fs.writeFileSync(file, text);
    const log = createTestLogger();
    expect(loadServerSettings(dir, log.logger)).toBeUndefined();
    const line = log.lines.find((l) => l.level === 50)!;
    expect(line.msg).toBe('remembered server settings are damaged; moved aside, using the config file until the server sends settings');
    expect(line.problem).toEqual(typeof problem === 'string' ? problem : expect.stringMatching(problem));
    expect(fs.readFileSync(line.movedTo as string, 'utf8')).toBe(text);
    expect(fs.existsSync(file)).toBe(false);
  });
});
