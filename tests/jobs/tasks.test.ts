/**
 * The task catalogue off the real package managers: parsers on recorded output of dnf, zypper,
 * Windows Update (the JSON our PowerShell prints), softwareupdate and apt; the command line of every
 * install scope; the hand-written parameter checks held to shared/jobs.ts; and the root path — the
 * maintenance helper's refusals, and sudo with the installer's sudoers rule for a real
 * unprivileged user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isLockBusy,
  parseAptScan,
  parseDnfScan,
  parseSoftwareUpdateScan,
  parseWindowsScan,
  parseZypperScan,
  parseZypperSecurityPatches,
  windowsInstallScript,
} from '../../agent/tasks/package-managers.js';
import { explainSudoRefusal, helperCommand } from '../../agent/tasks/run-command.js';
import { serviceParamsProblem } from '../../agent/tasks/service-restart.js';
import { installParamsProblem, installStep } from '../../agent/tasks/update-tasks.js';
import { taskParamsSchemas } from '../../shared/jobs.js';
import { cleanupParamsProblem, createCleanupTask, parseFreedBytes, parseJournalFreed } from '../../agent/tasks/cleanup.js';
import { rebootParamsProblem, rebootWindowProblem } from '../../agent/tasks/reboot.js';
import { pino } from 'pino';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const HELPER = path.resolve('scripts/install/linux/quarkpulse-maint-helper');
const SUDOERS = path.resolve('scripts/install/linux/quarkpulse-agent.sudoers');

describe('scan parsers on recorded output', () => {
  it('apt: versions, and security from the suite', () => {
    expect(parseAptScan(fixture('apt-get-s-upgrade.txt'))).toEqual([
      { name: 'libssl3', fromVersion: '3.0.13-1~deb12u1', toVersion: '3.0.15-1~deb12u1', isSecurity: true },
      { name: 'openssl', fromVersion: '3.0.13-1~deb12u1', toVersion: '3.0.15-1~deb12u1', isSecurity: true },
      { name: 'tzdata', fromVersion: '2024a-0+deb12u1', toVersion: '2024b-0+deb12u1', isSecurity: false },
    ]);
  });
  it('dnf: check-update up to "Obsoleting", security from updateinfo', () => {
    expect(parseDnfScan(fixture('dnf-check-update.txt'), fixture('dnf-updateinfo-security.txt'))).toEqual([
      { name: 'openssl-libs', toVersion: '1:3.0.7-27.el9', isSecurity: true },
      { name: 'kernel', toVersion: '5.14.0-427.13.1.el9_4', isSecurity: true },
      { name: 'vim-minimal', toVersion: '2:8.2.2637-20.el9_1', isSecurity: false },
    ]);
  });
  it('zypper: the update table, and needed security patches', () => {
    expect(parseZypperScan(fixture('zypper-list-updates.txt'))).toEqual([
      { name: 'libopenssl3', fromVersion: '3.0.8-150500.5.8.1', toVersion: '3.0.8-150500.5.14.1', isSecurity: false },
      { name: 'vim', fromVersion: '9.0.2103-150500.20.6.1', toVersion: '9.1.0111-150500.20.9.1', isSecurity: false },
    ]);
    expect(parseZypperSecurityPatches(fixture('zypper-list-patches-security.txt'))).toEqual(['openSUSE-SLE-15.5-2024-1223']);
  });
  it('Windows Update: KB ids, security from category or severity; one object or none', () => {
    const updates = parseWindowsScan(fixture('windows-scan.json'));
    expect(updates.map((u) => [u.name, u.isSecurity])).toEqual([
      ['KB5037771', true],
      ['KB4052623', false],
    ]);
    expect(parseWindowsScan('{"Title":"Driver","KB":[],"Severity":null,"Categories":["Drivers"]}')).toEqual([
      { name: 'Driver', toVersion: 'Driver', isSecurity: false },
    ]);
    expect(parseWindowsScan('')).toEqual([]);
  });
  it('softwareupdate: labels and versions', () => {
    expect(parseSoftwareUpdateScan(fixture('softwareupdate-l.txt'))).toEqual([
      { name: 'macOS Sonoma 14.5-23F79', toVersion: '14.5', isSecurity: false },
      { name: 'Safari17.5MontereyAuto-17.5', toVersion: '17.5', isSecurity: false },
    ]);
  });
  it('lock messages of apt, dnf and zypper count as busy', () => {
    expect(isLockBusy('E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)')).toBe(true);
    expect(isLockBusy('Waiting for process with pid 812 to finish.')).toBe(true);
    expect(isLockBusy('System management is locked by the application with pid 977 (zypper).')).toBe(true);
    expect(isLockBusy('E: Unable to locate package nope')).toBe(false);
  });
});

describe('install command lines per scope', () => {
  it.each<[Parameters<typeof installStep>[0], 'all' | 'security' | 'list', string[], string[], unknown]>([
    ['apt', 'all', [], [], { kind: 'helper', verb: 'apt-upgrade-all', args: [] }],
    ['apt', 'security', [], ['libssl3', 'openssl'], { kind: 'helper', verb: 'apt-upgrade', args: ['libssl3', 'openssl'] }],
    ['apt', 'security', [], [], { nothing: 'no security updates pending' }],
    ['apt', 'list', ['tzdata'], [], { kind: 'helper', verb: 'apt-upgrade', args: ['tzdata'] }],
    ['dnf', 'security', [], [], { kind: 'helper', verb: 'dnf-upgrade-security', args: [] }],
    ['dnf', 'list', ['kernel'], [], { kind: 'helper', verb: 'dnf-upgrade', args: ['kernel'] }],
    ['zypper', 'all', [], [], { kind: 'helper', verb: 'zypper-update-all', args: [] }],
    ['zypper', 'security', [], [], { kind: 'helper', verb: 'zypper-patch-security', args: [] }],
    ['softwareupdate', 'all', [], [], { kind: 'program', file: 'softwareupdate', args: ['-i', '-a'] }],
    [
      'softwareupdate',
      'list',
      ['Safari17.5MontereyAuto-17.5'],
      [],
      { kind: 'program', file: 'softwareupdate', args: ['-i', '--', 'Safari17.5MontereyAuto-17.5'] },
    ],
    ['softwareupdate', 'security', [], [], { impossible: 'macOS softwareupdate cannot select security updates; use scope "all" or a list of labels' }],
  ])('%s %s', (manager, scope, names, security, want) => {
    expect(installStep(manager, scope, names, security)).toEqual(want);
  });

  it('Windows: PowerShell through the Windows Update Agent, filtered per scope', () => {
    const step = installStep('windows-update', 'list', ['KB5037771'], []) as { file: string; args: string[] };
    expect(step.file).toBe('powershell.exe');
    expect(step.args.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-Command']);
    expect(step.args[3]).toContain("@('5037771') -contains [string]$_.KBArticleIDs[0]");
    expect(windowsInstallScript('security')).toContain('-match "Security"');
    expect(windowsInstallScript('all')).toContain('Where-Object { $true }');
  });

  it('root steps: the helper directly as root, through sudo -n otherwise', () => {
    expect(helperCommand({ helperPath: '/opt/quarkpulse/quarkpulse-maint-helper', isRoot: true }, 'apt-upgrade', ['x'])).toEqual({
      file: '/opt/quarkpulse/quarkpulse-maint-helper',
      args: ['apt-upgrade', 'x'],
    });
    expect(helperCommand({ helperPath: '/opt/quarkpulse/quarkpulse-maint-helper', isRoot: false }, 'apt-upgrade', ['x'])).toEqual({
      file: 'sudo',
      args: ['-n', '/opt/quarkpulse/quarkpulse-maint-helper', 'apt-upgrade', 'x'],
    });
    expect(explainSudoRefusal('sudo: a password is required')).toMatch(/^this machine does not allow the agent to run maintenance as root/);
  });
});

describe('parameter checks agree with shared/jobs.ts', () => {
  it.each<[string, Record<string, unknown>]>([
    ['all', { scope: 'all' }],
    ['security', { scope: 'security' }],
    ['a list', { scope: 'list', packages: ['openssl', 'libc6:amd64', 'g++'] }],
    ['a list without packages', { scope: 'list' }],
    ['packages with all', { scope: 'all', packages: ['x'] }],
    ['an option as a name', { scope: 'list', packages: ['-oAPT::Update::Pre-Invoke::=id'] }],
    ['shell syntax in a name', { scope: 'list', packages: ['x;reboot'] }],
    ['an empty list', { scope: 'list', packages: [] }],
    ['an unknown scope', { scope: 'everything' }],
    ['an extra key', { scope: 'all', force: true }],
  ])('updates.install: %s', (_what, params) => {
    expect(installParamsProblem(params) === undefined).toBe(taskParamsSchemas['updates.install'].safeParse(params).success);
  });
  it.each<[string, Record<string, unknown>]>([
    ['a unit', { service: 'nginx.service' }],
    ['a template unit', { service: 'getty@tty1.service' }],
    ['an option', { service: '--all' }],
    ['a path', { service: '../../bin/sh' }],
    ['no name', {}],
  ])('service.restart: %s', (_what, params) => {
    expect(serviceParamsProblem(params) === undefined).toBe(taskParamsSchemas['service.restart'].safeParse(params).success);
  });
});

describe('the maintenance helper (root door)', () => {
  const helper = (...args: string[]) => spawnSync('bash', [HELPER, ...args], { encoding: 'utf8' });
  it.each<[string, string[], string]>([
    ['an unknown verb', ['sh', '-c', 'id'], 'quarkpulse-maint-helper: unknown verb "sh"'],
    [
      'an option as a package',
      ['apt-upgrade', '-oAPT::Update::Pre-Invoke::=id'],
      'quarkpulse-maint-helper: refused name "-oAPT::Update::Pre-Invoke::=id" (letters, digits and + . _ : @ ~ - only, not starting with a sign)',
    ],
    [
      'shell syntax in a service',
      ['service-restart', 'x;id'],
      'quarkpulse-maint-helper: refused name "x;id" (letters, digits and + . _ : @ ~ - only, not starting with a sign)',
    ],
    ['two services', ['service-restart', 'a', 'b'], 'quarkpulse-maint-helper: service-restart takes one name'],
    ['arguments to a fixed verb', ['apt-upgrade-all', 'extra'], 'quarkpulse-maint-helper: apt-upgrade-all takes no arguments'],
    ['no names', ['apt-upgrade'], 'quarkpulse-maint-helper: at least one name is required'],
    ['a reboot delay out of range', ['reboot', '61'], 'quarkpulse-maint-helper: reboot takes minutes (0-60)'],
    ['a temp age that is not a number', ['clean-temp', '7;id'], 'quarkpulse-maint-helper: clean-temp takes a number of days (1-365)'],
    ['a journal age of 0', ['journal-vacuum', '0'], 'quarkpulse-maint-helper: journal-vacuum takes a number of days (1-365)'],
  ])('refuses %s with exit 64 and runs nothing', (_what, args, message) => {
    const r = helper(...args);
    expect(r.status).toBe(64);
    expect(r.stderr.trim()).toBe(message);
    expect(r.stdout).toBe('');
  });
  it('answers check', () => {
    expect(helper('check')).toMatchObject({ status: 0, stdout: 'ok\n' });
  });
});

const hasSudo = spawnSync('sh', ['-c', 'command -v sudo && command -v visudo']).status === 0;
describe.skipIf(process.getuid?.() !== 0 || !hasSudo)("sudo with the installer's rule, as a real unprivileged user", () => {
  const user = `qpst${process.pid % 100000}`;
  const optDir = '/opt/quarkpulse';
  const installedHelper = `${optDir}/quarkpulse-maint-helper`;
  const sudoersFile = `/etc/sudoers.d/qp-maint-test-${process.pid}`;
  let createdOpt = false;
  let createdHelper = false;

  beforeAll(() => {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
    // The rule as shipped, for this test's user; visudo must accept it.
    const rule = fs.readFileSync(SUDOERS, 'utf8').replaceAll('quarkpulse ALL', `${user} ALL`).replaceAll('Defaults:quarkpulse', `Defaults:${user}`);
    const tmp = path.join(os.tmpdir(), `qp-sudoers-${process.pid}`);
    fs.writeFileSync(tmp, rule, { mode: 0o440 });
    execFileSync('visudo', ['-cf', tmp]);
    if (!fs.existsSync(optDir)) {
      fs.mkdirSync(optDir, { mode: 0o755 });
      createdOpt = true;
    }
    if (!fs.existsSync(installedHelper)) {
      fs.copyFileSync(HELPER, installedHelper);
      fs.chmodSync(installedHelper, 0o755);
      createdHelper = true;
    }
    fs.copyFileSync(tmp, sudoersFile);
    fs.chmodSync(sudoersFile, 0o440);
    fs.rmSync(tmp);
  });
  afterAll(() => {
    fs.rmSync(sudoersFile, { force: true });
    if (createdHelper) fs.rmSync(installedHelper, { force: true });
    if (createdOpt) fs.rmSync(optDir, { recursive: true, force: true });
    spawnSync('userdel', [user]);
  });

  const asUser = (...args: string[]) => spawnSync('runuser', ['-u', user, '--', ...args], { encoding: 'utf8' });

  it('may run the helper as root without a password, and the helper still refuses bad names', () => {
    const ok = asUser('sudo', '-n', installedHelper, 'check');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('ok\n');
    const bad = asUser('sudo', '-n', installedHelper, 'apt-upgrade', '-oAPT::Update::Pre-Invoke::=id');
    expect(bad.status).toBe(64);
  });

  it('may run nothing else as root', () => {
    for (const cmd of [['/usr/bin/id'], ['/usr/bin/apt-get', 'update'], ['/bin/sh', '-c', 'id']]) {
      const r = asUser('sudo', '-n', ...cmd);
      expect(r.status, cmd.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/a password is required/);
      expect(explainSudoRefusal(r.stderr)).toBeDefined();
    }
  });
});

describe('cleanup and reboot', () => {
  it.each<[string, Record<string, unknown>]>([
    ['all three', { targets: ['temp', 'package-cache', 'journal'] }],
    ['with days', { targets: ['journal'], olderThanDays: 30 }],
    ['a repeat', { targets: ['temp', 'temp'] }],
    ['an unknown target', { targets: ['home'] }],
    ['no targets', { targets: [] }],
    ['zero days', { targets: ['temp'], olderThanDays: 0 }],
  ])('cleanup params: %s', (_what, params) => {
    expect(cleanupParamsProblem(params) === undefined).toBe(taskParamsSchemas.cleanup.safeParse(params).success);
  });
  it.each<[string, Record<string, unknown>]>([
    ['now', { delayMinutes: 0 }],
    ['with a message', { delayMinutes: 5, message: 'Onderhoud: herstart over 5 minuten' }],
    ['a newline in the message', { delayMinutes: 5, message: 'a\nb' }],
    ['too late', { delayMinutes: 61 }],
    ['no delay', {}],
  ])('reboot params: %s', (_what, params) => {
    expect(rebootParamsProblem(params) === undefined).toBe(taskParamsSchemas.reboot.safeParse(params).success);
  });
  it('reboots only inside the window, and only for a window of at most 12 hours', () => {
    const start = Date.UTC(2026, 11, 6, 1, 0);
    expect(rebootWindowProblem(start, 10, start, start + 3 * 3_600_000)).toBeUndefined();
    expect(rebootWindowProblem(start + 175 * 60_000, 10, start, start + 3 * 3_600_000)).toBe(
      'the reboot would happen at 2026-12-06T04:05:00.000Z, after the maintenance window ends at 2026-12-06T04:00:00.000Z; not rebooted',
    );
    expect(rebootWindowProblem(start, 0, start, start + 13 * 3_600_000)).toBe(
      "a reboot job's window must be at most 12 hours (the maintenance window); this one is 13 hours",
    );
  });
  it('reads freed bytes from journalctl and from the helper', () => {
    expect(parseJournalFreed('Vacuuming done, freed 1.5G of archived journals from /var/log/journal.')).toBe(Math.round(1.5 * 1024 ** 3));
    expect(parseJournalFreed('Vacuuming done, freed 0B of archived journals from /run/log/journal.')).toBe(0);
    expect(parseFreedBytes('freed-bytes 40960\n')).toBe(40960);
  });

  it.skipIf(process.getuid?.() !== 0)('package-cache: real apt-get clean through the helper, bytes measured before and after', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-clean-'));
    try {
      const archives = path.join(tmp, 'archives');
      fs.mkdirSync(path.join(archives, 'partial'), { recursive: true });
      fs.writeFileSync(path.join(archives, 'a_1.0_all.deb'), Buffer.alloc(30_000));
      fs.writeFileSync(path.join(archives, 'b_2.0_all.deb'), Buffer.alloc(12_345));
      fs.writeFileSync(path.join(tmp, 'apt.conf'), `Dir::Cache::Archives "${archives}";\nDir::Cache "${tmp}";\n`);
      const task = createCleanupTask('linux', { helperPath: HELPER, isRoot: true, env: { APT_CONFIG: path.join(tmp, 'apt.conf') } }, [archives]);
      const outcome = await task.run(
        { targets: ['package-cache'] },
        { logger: pino({ level: 'silent' }), signal: new AbortController().signal, notBeforeMs: 0, notAfterMs: 0, nowMs: Date.now },
      );
      expect(outcome).toMatchObject({ isOk: true, result: { bytesFreed: 42_345, bytesFreedByTarget: { 'package-cache': 42_345 } } });
      expect(outcome.output).toContain('freed 42345 bytes (0.0 MB)');
      expect(fs.readdirSync(archives).filter((f) => f.endsWith('.deb'))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
