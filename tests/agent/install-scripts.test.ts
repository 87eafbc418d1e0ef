/**
 * The install scripts: shell syntax and shellcheck for every .sh, the Linux installer's
 * --dry-run (which prints each step instead of doing it) for a first install and an upgrade, and
 * the text of the Windows release-tree installer (no PowerShell here to run it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = path.resolve('scripts/install');
const shellScripts = ['linux/install.sh', 'linux/uninstall.sh', 'macos/install.sh', 'macos/uninstall.sh'].map((f) => path.join(dir, f));
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

describe('install scripts', () => {
  it.each(shellScripts)('%s parses (bash -n) and is executable', (file) => {
    execFileSync('bash', ['-n', file]);
    expect(fs.statSync(file).mode & 0o111).not.toBe(0);
  });

  // CI installs shellcheck (.ci/run); a developer machine without it skips, saying why.
  it.skipIf(!hasShellcheck && process.env.CI !== 'true')('shellcheck finds nothing (skipped only where shellcheck is not installed)', () => {
    const r = spawnSync('shellcheck', shellScripts, { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('the Linux installer --dry-run creates a system user, installs root-owned code, enrolls as that user with its state dir, and writes a hardened unit', () => {
    const bundle = path.resolve('package.json'); // any existing file stands in for the bundle in a dry run
    const out = execFileSync(
      'bash',
      [path.join(dir, 'linux/install.sh'), '--dry-run', '--server', 'https://m.example.com', '--bundle', bundle, '--node', process.execPath],
      { encoding: 'utf8', env: { ...process.env, QP_TOKEN: 'qpe_0123456789abcdef' } },
    );
    // The token never appears in a step (a command line): the agent reads it from a 0600 file.
    expect(out).not.toContain('qpe_0123456789abcdef');
    const steps = out.split('\n').filter((l) => l.startsWith('+ '));
    if (spawnSync('id', ['-u', 'quarkpulse']).status !== 0) {
      expect(steps[0]).toBe(
        '+ useradd --system --home-dir /var/lib/quarkpulse --no-create-home --shell /usr/sbin/nologin --comment Quarkpulse agent quarkpulse',
      );
    }
    expect(steps).toContain(`+ install -m 0644 -o root -g root ${bundle} /opt/quarkpulse/quarkpulse-agent.mjs`);
    expect(steps).toContain('+ install -d -m 0700 -o quarkpulse -g quarkpulse /etc/quarkpulse /var/lib/quarkpulse');
    expect(steps).toContain(
      `+ runuser -u quarkpulse -- ${process.execPath} /opt/quarkpulse/quarkpulse-agent.mjs agent enroll --server https://m.example.com --token-file /etc/quarkpulse/.enroll-token --config /etc/quarkpulse/agent.json --state-dir /var/lib/quarkpulse`,
    );
    expect(out).toContain('+ write /etc/quarkpulse/.enroll-token (0600, owner quarkpulse): the enrollment token');
    expect(steps).toContain('+ rm -f /etc/quarkpulse/.enroll-token');
    expect(out).toContain(
      `ExecStart=${process.execPath} --max-semi-space-size=1 --max-old-space-size=32 --jitless /opt/quarkpulse/quarkpulse-agent.mjs agent run --config /etc/quarkpulse/agent.json`,
    );
    for (const line of [
      'User=quarkpulse',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/etc/quarkpulse /var/lib/quarkpulse',
      'CapabilityBoundingSet=',
    ]) {
      expect(out).toContain(line);
    }
    expect(out).not.toContain('@NODE@');
    expect(steps.slice(-3)).toEqual(['+ systemctl daemon-reload', '+ systemctl enable quarkpulse-agent', '+ systemctl restart quarkpulse-agent']);
    // Maintenance: the root helper, exactly one sudoers rule (checked by visudo first), the unit drop-in.
    const here = path.join(dir, 'linux');
    expect(steps.slice(-8, -3)).toEqual([
      `+ install -m 0755 -o root -g root ${here}/quarkpulse-maint-helper /opt/quarkpulse/quarkpulse-maint-helper`,
      `+ visudo -cf ${here}/quarkpulse-agent.sudoers`,
      `+ install -m 0440 -o root -g root ${here}/quarkpulse-agent.sudoers /etc/sudoers.d/quarkpulse-agent`,
      '+ install -d -m 0755 -o root -g root /etc/systemd/system/quarkpulse-agent.service.d',
      `+ install -m 0644 -o root -g root ${here}/maintenance.conf /etc/systemd/system/quarkpulse-agent.service.d/maintenance.conf`,
    ]);
    const sudoers = fs
      .readFileSync(path.join(here, 'quarkpulse-agent.sudoers'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(sudoers).toEqual(['Defaults:quarkpulse !requiretty, env_reset', 'quarkpulse ALL=(root) NOPASSWD: /opt/quarkpulse/quarkpulse-maint-helper']);
    const without = execFileSync(
      'bash',
      [
        path.join(dir, 'linux/install.sh'),
        '--dry-run',
        '--no-maintenance',
        '--server',
        'https://m.example.com',
        '--bundle',
        bundle,
        '--node',
        process.execPath,
      ],
      { encoding: 'utf8', env: { ...process.env, QP_TOKEN: 'qpe_0123456789abcdef' } },
    );
    expect(without).toContain(
      '+ rm -f /etc/sudoers.d/quarkpulse-agent /etc/systemd/system/quarkpulse-agent.service.d/maintenance.conf /opt/quarkpulse/quarkpulse-maint-helper',
    );
    expect(without).not.toContain('visudo');
  });

  it('the Linux installer refuses a first install without a token, saying what to pass', () => {
    const r = spawnSync(
      'bash',
      [
        path.join(dir, 'linux/install.sh'),
        '--dry-run',
        '--server',
        'https://m.example.com',
        '--bundle',
        path.resolve('package.json'),
        '--node',
        process.execPath,
      ],
      { encoding: 'utf8' },
    );
    if (fs.existsSync('/etc/quarkpulse/agent.json')) return; // an enrolled machine needs no token
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('an enrollment token is required for a first install: set QP_TOKEN');
  });

  it.each(['linux/install.sh', 'macos/install.sh'])('%s refuses --token (argv is visible to other users) and reads --token-file', (script) => {
    const base = [
      path.join(dir, script),
      '--dry-run',
      '--server',
      'https://m.example.com',
      '--bundle',
      path.resolve('package.json'),
      '--node',
      process.execPath,
    ];
    const env = { ...process.env };
    delete env.QP_TOKEN;
    const refused = spawnSync('bash', [...base, '--token', 'qpe_0123456789abcdef'], { encoding: 'utf8', env });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--token is not accepted (other users see the command line): set QP_TOKEN=qpe_… or use --token-file FILE');
    const missing = spawnSync('bash', [...base, '--token-file', '/nonexistent/token'], { encoding: 'utf8', env });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--token-file /nonexistent/token cannot be read');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qp-token-')), 'token');
    fs.writeFileSync(file, 'qpe_0123456789abcdef\n', { mode: 0o600 });
    const fromFile = spawnSync('bash', [...base, '--token-file', file], { encoding: 'utf8', env });
    if (fs.existsSync('/etc/quarkpulse/agent.json') || fs.existsSync('/Library/Application Support/Quarkpulse/agent.json')) return;
    expect(fromFile.stderr).not.toContain('token is required');
    expect(fromFile.stdout).toContain('agent enroll --server https://m.example.com --token-file ');
    expect(fromFile.stdout).not.toContain('qpe_0123456789abcdef');
  });

  it('the Windows release-tree installer takes the token from QP_TOKEN or -TokenFile, refuses -Token and never puts it in argv', () => {
    const ps1 = fs.readFileSync(path.join(dir, 'windows/install.ps1'), 'utf8');
    expect(ps1).toContain("if ($Token) { Fail '-Token is not accepted (other users and audit logs see the command line)");
    expect(ps1).not.toMatch(/--token\b/);
    expect(ps1).toContain("$env:QP_TOKEN = 'qpe_...'; .\\install.ps1 -Server https://monitor.example.com");
    expect(ps1).toContain('.\\install.ps1 -Server https://monitor.example.com -TokenFile C:\\path\\token.txt');
    // The agent is started without the token; it finds it in QP_TOKEN, which is removed afterwards.
    const enroll = ps1.split('\n').filter((l) => l.includes('agent enroll'));
    expect(enroll.map((l) => l.trim())).toEqual([
      "& $Node (Join-Path $ProgramDir 'quarkpulse-agent.mjs') agent enroll --server $Server --config $ConfigFile --state-dir $StateDir @caArgs",
    ]);
    // Every line of code (after the help block) that touches the token.
    const code = ps1.slice(ps1.indexOf('#>')).split('\n');
    const uses = code.filter((l) => /QP_TOKEN|\$enrollToken|\$TokenFile/.test(l) && !l.trim().startsWith('#'));
    expect(uses.map((l) => l.trim())).toEqual([
      '[string]$TokenFile,',
      "if ($Token) { Fail '-Token is not accepted (other users and audit logs see the command line); set $env:QP_TOKEN = ''qpe_...'' first, or use -TokenFile FILE' }",
      '$enrollToken = $null',
      '$enrollToken = $env:QP_TOKEN',
      'if ($TokenFile) {',
      'if (-not (Test-Path -LiteralPath $TokenFile)) { Fail "-TokenFile $TokenFile cannot be read" }',
      '$enrollToken = (Get-Content -Raw -LiteralPath $TokenFile).Trim()',
      "if (-not $enrollToken) { Fail \"an enrollment token is required for a first install: run `$env:QP_TOKEN = 'qpe_...' first (the client's token from the dashboard), or use -TokenFile FILE\" }",
      '$env:QP_TOKEN = $enrollToken',
      'Remove-Item Env:\\QP_TOKEN -ErrorAction SilentlyContinue',
    ]);
  });
});
