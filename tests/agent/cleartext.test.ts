/**
 * Agents refuse plain http:// to a server that is not loopback (issue 17, item 12) unless the
 * operator accepts sending the credential in clear: `--allow-insecure-http` on `agent enroll` (kept
 * in the config) or `agent run`, or `"allowInsecureHttp": true` in the config. The refusal comes
 * before anything is sent: the enrollment stub below fails the test if it is called.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentCommands, type AgentCliDeps } from '../../agent/cli.js';
import { isCleartextToNetwork, isLoopbackHost } from '../../agent/cleartext.js';
import { loadAgentConfig, saveAgentConfig } from '../../agent/config.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-cleartext-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], deps: Partial<AgentCliDeps> = {}) {
  const err: string[] = [];
  const program = new Command('quarkpulse').exitOverride().configureOutput({ writeOut: () => {}, writeErr: (s) => err.push(s) });
  registerAgentCommands(program, { print: () => {}, ...deps });
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'quarkpulse', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    exitCode = e.exitCode;
  }
  return { exitCode, err: err.join('').trim() };
}

const neverEnroll: Partial<AgentCliDeps> = {
  enrollDevice: async () => {
    throw new Error('must not be called');
  },
};
const enrolled: Partial<AgentCliDeps> = { enrollDevice: async () => ({ deviceId: 'dev-1', deviceToken: 'secret-1', clientId: 'c' }) };
/** An agent that records it was created and starts at once. */
function fakeAgent(created: string[]): Partial<AgentCliDeps> {
  return {
    createAgent: ((o: { config: { serverUrl: string } }) => {
      created.push(o.config.serverUrl);
      return { start: async () => {}, stop: async () => {} };
    }) as unknown as AgentCliDeps['createAgent'],
  };
}

describe('loopback or not', () => {
  it.each([
    ['http://localhost:8080', false],
    ['http://app.localhost', false],
    ['http://127.0.0.1:8080', false],
    ['http://127.9.8.7', false],
    ['http://[::1]:8080', false],
    ['https://monitor.example.com', false],
    ['https://10.0.0.5', false],
    ['http://monitor.example.com', true],
    ['http://10.0.0.5:8080', true],
    ['http://128.0.0.1', true],
    ['http://localhost.evil.example', true],
    ['http://127.0.0.1.evil.example', true],
    ['http://[::2]', true],
    ['http://0.0.0.0:8080', true],
  ])('%s sends in clear over the network: %s', (url, expected) => {
    expect(isCleartextToNetwork(url)).toBe(expected);
  });

  it('knows the loopback names', () => {
    expect(['localhost', 'LOCALHOST', '127.0.0.1', '[::1]', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([true, true, true, true, true]);
    expect(['127.0.0.256', 'example.com', '192.168.1.1'].map(isLoopbackHost)).toEqual([false, false, false]);
  });
});

describe('agent enroll / run with a plain http:// server', () => {
  it('enroll refuses http:// to another machine before sending anything, exit 2 with what to do', async () => {
    const r = await run(
      ['agent', 'enroll', '--server', 'http://monitor.example.com', '--token', 'tok-0123456789', '--config', path.join(dir, 'a.json')],
      neverEnroll,
    );
    expect(r).toEqual({
      exitCode: 2,
      err:
        '--server http://monitor.example.com is plain http:// to another machine: the enrollment token and the device credential would cross the network unencrypted. ' +
        'Use the https:// address of the server, or pass --allow-insecure-http if you accept sending the credential in clear (loopback addresses need neither)',
    });
    expect(fs.existsSync(path.join(dir, 'a.json'))).toBe(false);
  });

  it('enroll to loopback over http needs no flag; with --allow-insecure-http the choice is kept in the config', async () => {
    const local = path.join(dir, 'local.json');
    expect((await run(['agent', 'enroll', '--server', 'http://127.0.0.1:8080', '--token', 'tok-0123456789', '--config', local], enrolled)).exitCode).toBe(0);
    expect(loadAgentConfig(local).allowInsecureHttp).toBeUndefined();

    const remote = path.join(dir, 'remote.json');
    expect(
      (await run(['agent', 'enroll', '--server', 'http://10.0.0.5:8080', '--token', 'tok-0123456789', '--config', remote, '--allow-insecure-http'], enrolled))
        .exitCode,
    ).toBe(0);
    expect(JSON.parse(fs.readFileSync(remote, 'utf8'))).toMatchObject({ serverUrl: 'http://10.0.0.5:8080', allowInsecureHttp: true });
    const created: string[] = [];
    expect((await run(['agent', 'run', '--config', remote], fakeAgent(created))).exitCode).toBe(0);
    expect(created).toEqual(['http://10.0.0.5:8080']);
  });

  it('run refuses a config with http:// to another machine unless the config or the flag accepts it', async () => {
    const file = path.join(dir, 'agent.json');
    saveAgentConfig(file, { serverUrl: 'http://monitor.example.com', deviceId: 'd', deviceToken: 't' });
    const created: string[] = [];
    const refused = await run(['agent', 'run', '--config', file], fakeAgent(created));
    expect(refused).toEqual({
      exitCode: 2,
      err:
        `agent config ${file}: serverUrl http://monitor.example.com is plain http:// to another machine: the device credential would cross the network unencrypted. ` +
        'Re-enroll with the https:// address of the server, or set "allowInsecureHttp": true in the config (or pass --allow-insecure-http) if you accept sending it in clear',
    });
    expect(created).toEqual([]);
    expect((await run(['agent', 'run', '--config', file, '--allow-insecure-http'], fakeAgent(created))).exitCode).toBe(0);
    expect(created).toEqual(['http://monitor.example.com']);
  });

  it('refuses a config whose allowInsecureHttp is not a boolean', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ serverUrl: 'http://monitor.example.com', deviceId: 'd', deviceToken: 't', allowInsecureHttp: 'yes' }));
    const r = await run(['agent', 'run', '--config', file], fakeAgent([]));
    expect(r).toEqual({ exitCode: 2, err: `agent config ${file} is invalid: field "allowInsecureHttp" must be true or false` });
  });
});
