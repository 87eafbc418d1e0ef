import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultAgentConfigPath, loadAgentConfig, saveAgentConfig } from '../../agent/config.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-config-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const valid = { serverUrl: 'https://monitor.example.com', deviceId: 'dev-1', deviceToken: 'secret-token' };

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('agent config', () => {
  it('loads a valid file and applies defaults (interval 10 s, state dir and task setting next to the file, no pinned key)', () => {
    const file = write('agent.json', JSON.stringify(valid));
    expect(loadAgentConfig(file)).toEqual({
      ...valid,
      intervalMs: 10_000,
      stateDir: dir,
      caFile: undefined,
      jobSigningKey: undefined,
      tasksFile: path.join(dir, 'tasks.json'),
    });
  });

  it('refuses a pinned job-signing key in another form', () => {
    const file = write('agent.json', JSON.stringify({ ...valid, jobSigningKey: 'rsa:abc' }));
    expect(() => loadAgentConfig(file)).toThrow('field "jobSigningKey" must look like "ed25519:" followed by 43 base64url characters');
  });

  it('resolves relative stateDir and caFile against the config file directory', () => {
    const file = write('agent.json', JSON.stringify({ ...valid, stateDir: 'state', caFile: 'ca.pem', intervalMs: 5_000 }));
    expect(loadAgentConfig(file)).toMatchObject({ stateDir: path.join(dir, 'state'), caFile: path.join(dir, 'ca.pem'), intervalMs: 5_000 });
  });

  it.each([
    ['a missing file', null, /does not exist — run `quarkpulse agent enroll --server URL --token T` first/],
    ['invalid JSON, with line and column', '{\n  "serverUrl": "https://x.example",\n  oops\n}', /is not valid JSON: .*\(line 3, column 3\)/],
    ['a wrong serverUrl', JSON.stringify({ ...valid, serverUrl: 'ftp://x' }), /field "serverUrl" must be an http:\/\/ or https:\/\/ URL/],
    ['a missing deviceToken', JSON.stringify({ serverUrl: valid.serverUrl, deviceId: 'd' }), /field "deviceToken" is missing/],
    ['an interval below 1 s', JSON.stringify({ ...valid, intervalMs: 10 }), /field "intervalMs" .*1000/],
    ['a typo in a key', JSON.stringify({ ...valid, intervalMS: 5_000 }), /unknown field\(s\) "intervalMS" \(typo\?\)/],
  ])('rejects %s with a message saying what to fix', (_what, text, message) => {
    const file = text === null ? path.join(dir, 'nope.json') : write('agent.json', text);
    expect(() => loadAgentConfig(file)).toThrow(message);
    expect(() => loadAgentConfig(file)).toThrow(file);
  });

  it('saves with mode 0600, creating the directory, and tightens an existing looser file', () => {
    const file = path.join(dir, 'nested', 'deeper', 'agent.json');
    saveAgentConfig(file, valid);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadAgentConfig(file)).toMatchObject(valid);

    fs.chmodSync(file, 0o644);
    saveAgentConfig(file, { ...valid, deviceId: 'dev-2' });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadAgentConfig(file).deviceId).toBe('dev-2');
    expect(fs.readdirSync(path.dirname(file))).toEqual(['agent.json']); // no temp file left behind
  });

  it.each([
    [{ QP_AGENT_CONFIG: '/srv/qp/agent.json' }, true, '/srv/qp/agent.json'],
    [{}, true, '/etc/quarkpulse/agent.json'],
    [{}, false, '/home/tech/.config/quarkpulse/agent.json'],
  ])('default config path with env %j, root %s → %s', (env, isRoot, expected) => {
    expect(defaultAgentConfigPath(env, isRoot, '/home/tech')).toBe(expected);
  });
});
