import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentCommands, type AgentCliDeps } from '../../agent/cli.js';
import { loadAgentConfig } from '../../agent/config.js';
import type { EnrollOptions } from '../../agent/enroll.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-cli-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], deps: Partial<AgentCliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const warnings: string[] = [];
  const program = new Command('quarkpulse').exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
  registerAgentCommands(program, { print: (l) => out.push(l), warn: (l) => warnings.push(l), env: {}, ...deps });
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'quarkpulse', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    exitCode = e.exitCode;
  }
  return { exitCode, out, err: err.join(''), warnings };
}

describe('quarkpulse agent CLI', () => {
  it.each([
    [['--server', 'monitor.example.com', '--token', 'tok-0123456789'], /--server "monitor.example.com" is not a URL; give the full address with scheme/],
    [['--server', 'ws://monitor.example.com', '--token', 'tok-0123456789'], /must start with http:\/\/ or https:\/\//],
    [['--token', 'tok-0123456789'], /--server is required/],
    [['--server', 'https://m.example.com', '--token', 'short'], /the enrollment token has 5 characters/],
    [['--server', 'https://m.example.com'], /an enrollment token is required: set QP_TOKEN or pass --token-file FILE/],
    [['--server', 'https://m.example.com', '--token-file', '/nonexistent/token'], /--token-file \/nonexistent\/token cannot be read \(ENOENT\)/],
    [['--server', 'https://m.example.com', '--token', 'tok-0123456789', '--ca', '/nonexistent/ca.pem'], /--ca \/nonexistent\/ca.pem cannot be read/],
  ])('enroll %j exits 2 with a message saying what to fix', async (flags, message) => {
    const r = await run(['agent', 'enroll', ...flags], {
      enrollDevice: async () => {
        throw new Error('must not be called');
      },
    });
    expect(r.exitCode).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('enroll writes the config with mode 0600 and prints the device id and config path', async () => {
    const configPath = path.join(dir, 'etc', 'agent.json');
    const calls: EnrollOptions[] = [];
    const r = await run(['agent', 'enroll', '--server', 'https://m.example.com', '--token', 'tok-0123456789', '--config', configPath], {
      enrollDevice: async (o) => {
        calls.push(o);
        return { deviceId: 'dev-42', deviceToken: 'secret-42', clientId: 'c' };
      },
    });
    expect(r.exitCode).toBe(0);
    expect(calls[0]).toMatchObject({ serverUrl: 'https://m.example.com', token: 'tok-0123456789', hostname: os.hostname() });
    expect(r.out).toEqual([
      'enrolled: device id dev-42',
      `config written to ${configPath}`,
      `start the agent with: quarkpulse agent run --config ${configPath}`,
    ]);
    expect(fs.statSync(configPath).mode & 0o777).toBe(0o600);
    expect(loadAgentConfig(configPath)).toMatchObject({ serverUrl: 'https://m.example.com', deviceId: 'dev-42', deviceToken: 'secret-42' });
  });

  it('enroll takes the token from QP_TOKEN or --token-file without a warning, and warns when it comes in argv', async () => {
    const seen: string[] = [];
    const enrollDevice = async (o: EnrollOptions) => {
      seen.push(o.token);
      return { deviceId: 'dev-1', deviceToken: 'secret-1', clientId: 'c' };
    };
    const configPath = path.join(dir, 'agent.json');
    const fromEnv = await run(['agent', 'enroll', '--server', 'https://m.example.com', '--config', configPath], {
      enrollDevice,
      env: { QP_TOKEN: 'qpe_from_environment' },
    });
    fs.writeFileSync(path.join(dir, 'token'), 'qpe_from_a_file_0001\n', { mode: 0o600 });
    const fromFile = await run(['agent', 'enroll', '--server', 'https://m.example.com', '--token-file', path.join(dir, 'token'), '--config', configPath], {
      enrollDevice,
    });
    const fromArgv = await run(['agent', 'enroll', '--server', 'https://m.example.com', '--token', 'qpe_from_the_argv_01', '--config', configPath], {
      enrollDevice,
    });
    expect(seen).toEqual(['qpe_from_environment', 'qpe_from_a_file_0001', 'qpe_from_the_argv_01']);
    expect([fromEnv.exitCode, fromFile.exitCode, fromArgv.exitCode]).toEqual([0, 0, 0]);
    expect(fromEnv.warnings).toEqual([]);
    expect(fromFile.warnings).toEqual([]);
    expect(fromArgv.warnings).toEqual([
      'warning: --token puts the enrollment token in the process list and the shell history; pass it in the QP_TOKEN environment variable or with --token-file FILE instead',
    ]);
  });

  it('enroll failure exits 1 with the server code and message', async () => {
    const { EnrollError } = await import('../../agent/enroll.js');
    const r = await run(['agent', 'enroll', '--server', 'https://m.example.com', '--token', 'tok-0123456789', '--config', path.join(dir, 'a.json')], {
      enrollDevice: async () => {
        throw new EnrollError('ENROLLMENT_TOKEN_INVALID', 'token expired', 401);
      },
    });
    expect(r.exitCode).toBe(1);
    expect(r.err).toMatch('enrollment failed: ENROLLMENT_TOKEN_INVALID: token expired');
  });

  it('run with a missing config exits 2 and says to enroll', async () => {
    const r = await run(['agent', 'run', '--config', path.join(dir, 'missing.json')]);
    expect(r.exitCode).toBe(2);
    expect(r.err).toMatch('run `quarkpulse agent enroll --server URL --token T` first');
  });
});
