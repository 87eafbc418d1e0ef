/**
 * The enrolment commands are pasted into a shell as they are shown, so every odd server URL or
 * token must reach the installer as exactly one argument, unchanged. The POSIX commands are run
 * through the real shells (sh, bash, and zsh where installed) with the installer replaced by a
 * program that prints its arguments one per line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AGENT_BUNDLE, commandSet, installCommands, powerShellString, reenrollCommand, shellWord } from '../../dashboard/src/lib/install-commands.js';

const shells = ['/bin/sh', '/bin/bash', '/usr/bin/zsh'].filter((s) => existsSync(s));

/** The arguments `shell` passes to the program at the start of `command`. */
function argsAfter(shell: string, command: string, program: string): string[] {
  expect(command.startsWith(`${program} `)).toBe(true);
  const script = `printf '%s\\0' ${command.slice(program.length + 1)}`;
  const out = execFileSync(shell, ['-c', script], { encoding: 'utf8', cwd: '/' });
  return out.split('\0').slice(0, -1);
}

const odd = [
  ['an IPv6 origin (a glob to zsh)', 'http://[::1]:8080'],
  ['a URL with a query', 'https://mon.example.nl/qp?a=1&b=2'],
  ['a space', 'https://example.nl/my monitor'],
  ['a single quote', "https://example.nl/o'brien"],
  ['command substitution', 'https://x/$(echo pwned)`echo id`'],
  ['a double quote and a semicolon', 'https://x/"a";b'],
  ['a leading =', '=https://x'],
  ['a tilde', '~/x'],
  ['an empty string', ''],
] as const;

describe('shellWord', () => {
  it('leaves an ordinary origin and token as they are', () => {
    expect(shellWord('https://monitor.example.nl:8443')).toBe('https://monitor.example.nl:8443');
    expect(shellWord('qpe_AbC-123_xyz')).toBe('qpe_AbC-123_xyz');
  });

  it('quotes what a shell would change', () => {
    expect(shellWord('http://[::1]:8080')).toBe("'http://[::1]:8080'");
    expect(shellWord("o'brien")).toBe("'o'\\''brien'");
    expect(shellWord('')).toBe("''");
    expect(shellWord('<token>')).toBe("'<token>'");
  });

  for (const shell of shells) {
    for (const [what, value] of odd) {
      it(`keeps ${what} one argument in ${shell}`, () => {
        expect(argsAfter(shell, `echo ${shellWord(value)}`, 'echo')).toEqual([value]);
      });
    }
  }
});

describe('powerShellString', () => {
  it('single-quotes and doubles every quote PowerShell reads as one', () => {
    expect(powerShellString('https://monitor.example.nl')).toBe("'https://monitor.example.nl'");
    expect(powerShellString("o'brien")).toBe("'o''brien'");
    expect(powerShellString('a\u2019b\u2018c')).toBe("'a\u2019\u2019b\u2018\u2018c'");
    // $ and backtick are literal inside single quotes: left alone.
    expect(powerShellString('$(x)`y')).toBe("'$(x)`y'");
  });
});

describe('installCommands', () => {
  const server = 'https://monitor.example.nl';
  const token = 'qpe_AbC-123_xyz';

  it('offers the five sets in order, with the documented commands for ordinary values', () => {
    const sets = installCommands(server, token);
    expect(sets.map((s) => s.id)).toEqual(['linux', 'windows', 'linux-release', 'windows-release', 'macos']);
    // No npx line: there is no such npm package, and the name is free for anyone to claim.
    expect(sets.flatMap((s) => s.commands).some((c) => c.includes('npx'))).toBe(false);
    expect(commandSet(server, token, 'linux').commands).toEqual([`curl -fsSL ${server}/install.sh | sudo QP_TOKEN=${token} sh`]);
    expect(commandSet(`${server}/`, token, 'linux').commands).toEqual([`curl -fsSL ${server}/install.sh | sudo QP_TOKEN=${token} sh`]);
    expect(commandSet(server, token, 'linux-release').commands).toEqual([`sudo QP_TOKEN=${token} scripts/install/linux/install.sh --server ${server}`]);
    expect(commandSet(server, token, 'macos').commands).toEqual([`sudo QP_TOKEN=${token} scripts/install/macos/install.sh --server ${server}`]);
    expect(commandSet(server, token, 'windows').commands).toEqual([`$env:QP_TOKEN = '${token}'; irm '${server}/install.ps1' | iex`]);
    expect(commandSet(`${server}/`, token, 'windows').commands).toEqual([`$env:QP_TOKEN = '${token}'; irm '${server}/install.ps1' | iex`]);
    expect(commandSet(server, token, 'windows-release').commands).toEqual([
      `$env:QP_TOKEN = '${token}'; powershell -ExecutionPolicy Bypass -File .\\scripts\\install\\windows\\install.ps1 -Server '${server}' -Bundle .\\dist\\agent\\quarkpulse-agent.mjs`,
    ]);
    expect(AGENT_BUNDLE).toBe('dist/agent/quarkpulse-agent.mjs');
  });

  it('throws on an unknown set id', () => {
    expect(() => commandSet(server, token, 'beos')).toThrow('no install command set "beos"');
  });

  const programs = { 'linux-release': 'scripts/install/linux/install.sh', macos: 'scripts/install/macos/install.sh' } as const;
  for (const shell of shells) {
    for (const [what, value] of odd) {
      it(`passes a server URL with ${what} and the token in QP_TOKEN unchanged in ${shell}`, () => {
        for (const [id, program] of Object.entries(programs)) {
          const [command] = commandSet(value, "tok'en $x", id).commands;
          // `sudo QP_TOKEN=… program args`: the same words with a function standing in for the program.
          expect(command!.startsWith('sudo QP_TOKEN=')).toBe(true);
          expect(command).toContain(` ${program} `);
          const script = `f() { printf '%s\\0' "$QP_TOKEN" "$@"; }; ${command!.slice('sudo '.length).replace(` ${program} `, ' f ')}`;
          const out = execFileSync(shell, ['-c', script], { encoding: 'utf8', cwd: '/' });
          expect(out.split('\0').slice(0, -1)).toEqual(["tok'en $x", '--server', value]);
        }
      });
    }
  }

  it('quotes odd values in the PowerShell commands', () => {
    const [release] = commandSet("http://[::1]:8080/o'b", "t'k $x", 'windows-release').commands;
    expect(release).toContain(" -Server 'http://[::1]:8080/o''b' -Bundle ");
    // The release-tree installer refuses -Token: the token is set in the environment, as for the one line.
    expect(release!.startsWith("$env:QP_TOKEN = 't''k $x'; powershell ")).toBe(true);
    expect(release).not.toContain('-Token');
    const [line] = commandSet("http://[::1]:8080/o'b", "t'k $x", 'windows').commands;
    expect(line).toBe("$env:QP_TOKEN = 't''k $x'; irm 'http://[::1]:8080/o''b/install.ps1' | iex");
  });

  it('quotes an odd token and server in the one-line Linux install', () => {
    const [line] = commandSet("https://x/o'b", "t'k $x", 'linux').commands;
    expect(line).toBe("curl -fsSL 'https://x/o'\\''b/install.sh' | sudo QP_TOKEN='t'\\''k $x' sh");
  });
});

describe('reenrollCommand', () => {
  it('gives install.sh --reenroll, or install.ps1 -Reenroll for a Windows agent, with the token in the environment', () => {
    expect(reenrollCommand('https://monitor.example.nl/', 'qpe_x1', 'linux-x64')).toBe(
      'curl -fsSL https://monitor.example.nl/install.sh | sudo QP_TOKEN=qpe_x1 sh -s -- --reenroll',
    );
    expect(reenrollCommand('https://monitor.example.nl', 'qpe_x1', null)).toBe(
      'curl -fsSL https://monitor.example.nl/install.sh | sudo QP_TOKEN=qpe_x1 sh -s -- --reenroll',
    );
    expect(reenrollCommand('https://monitor.example.nl', 'qpe_x1', 'windows-x64')).toBe(
      "$env:QP_TOKEN = 'qpe_x1'; & ([scriptblock]::Create((irm 'https://monitor.example.nl/install.ps1'))) -Reenroll",
    );
    expect(reenrollCommand("https://x/o'b", "t'k", 'windows-x64')).toBe(
      "$env:QP_TOKEN = 't''k'; & ([scriptblock]::Create((irm 'https://x/o''b/install.ps1'))) -Reenroll",
    );
  });

  for (const shell of shells) {
    it(`passes an odd token to install.sh unchanged in ${shell}`, () => {
      const line = reenrollCommand('https://x', "t'k $x", 'linux-arm64');
      const env = execFileSync(shell, ['-c', line.replace(/^curl .*\| sudo /, '').replace(' sh -s -- --reenroll', ' sh -c \'printf %s "$QP_TOKEN"\'')], {
        encoding: 'utf8',
      });
      expect(env).toBe("t'k $x");
    });
  }
});
