/**
 * GET /install.ps1, the Windows one-line installer. PowerShell does not run here (Debian has no
 * `pwsh` package; the test checks the script's syntax with it when one is installed), so this
 * holds what can be held on Linux: the generated text (this server's URL, its signing key and the
 * signed entry of the windows-x64 executable, the token only ever in the environment, -Token
 * refused, every refusal — the Ed25519 signature included — before anything is installed), and —
 * with a real linux-x64 build — the `agent verify-artifact` command the installed agent runs on an
 * upgrade to check the download with the key it pinned. The C# Ed25519 verifier the script
 * compiles is compiled and run under Mono in install-ps1-ed25519.test.ts.
 */
import { execFile, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { writeWindowsBuild } from './windows-build-fixture.js';
import { artifactSigningMessage, verifySignature } from '../../server/signing/signing-key.js';
import { saveAgentConfig } from '../../agent/config.js';

const run = promisify(execFile);
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const pwsh = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v pwsh'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

let dir: string;
let t: TestServer;
let script: string;
let exe: string;
const windowsBytes = Buffer.from('MZ not really windows, but signed');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-install-ps1-'));
  const build = writeWindowsBuild(dir, windowsBytes);
  t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [build], publicUrl: 'https://monitor.example.nl' });
  const res = await fetch(`${t.url}/install.ps1`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  script = await res.text();
  // A real agent executable for the verify-artifact checks (~3 s with the runtime cached).
  await run(process.execPath, ['scripts/build-agent.mjs', '--platforms', 'linux-x64', '--out', path.join(dir, 'agent')], { maxBuffer: 16 << 20 });
  exe = path.join(dir, 'agent', 'bin', 'quarkpulse-agent-linux-x64');
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('GET /install.ps1', () => {
  it("is generated for the public URL with the windows-x64 entry, signed by the server's key", async () => {
    const manifest = (await new ApiClient(t.url).get('/agent/manifest.json')).json;
    const entry = manifest.artifacts.find((a: { platform: string }) => a.platform === 'windows-x64');
    expect(script).toContain("$QpServer = 'https://monitor.example.nl'");
    expect(script).toContain('irm https://monitor.example.nl/install.ps1 | iex');
    expect(script).toContain("$ArtVersion = '3.1.4'");
    expect(script).toContain(`$ArtSize = ${windowsBytes.length}`);
    expect(script).toContain(`$ArtSha256 = '${sha(windowsBytes)}'`);
    expect(script).toContain(`$ArtSignature = '${entry.signature}'`);
    expect(script).toContain(`$QpPublicKey = '${manifest.signingKey.publicKey}'`);
    expect(verifySignature(manifest.signingKey.publicKey, artifactSigningMessage(entry), entry.signature)).toBe(true);
    expect(script).toContain('$url = "$QpServer/agent/download/$ArtVersion/windows-x64"');
  });

  it('keeps the token out of every command line: QP_TOKEN or -TokenFile, -Token refused', () => {
    expect(script).not.toMatch(/--token/);
    expect(script).toContain("if ($Token) { Fail '-Token is not accepted (the process list would show it)");
    // Every program the script starts, and not one of them is given the token.
    const calls = script.split('\n').filter((l) => /&\s+(\$download|\$Exe|sc\.exe|icacls\.exe)\b/.test(l));
    expect(calls.length).toBeGreaterThanOrEqual(6);
    for (const line of calls) expect(line).not.toMatch(/token/i);
    // The token is handed over in the environment of the enrolling child and removed after it.
    const uses = script.split('\n').filter((l) => /QP_TOKEN|\$enrollToken/.test(l) && !l.trim().startsWith('#'));
    expect(uses.map((l) => l.trim())).toEqual([
      "Fail \"must run as administrator; open PowerShell with 'Run as administrator' and run: `$env:QP_TOKEN = 'qpe_...'; irm $QpServer/install.ps1 | iex\"",
      "if ($Token) { Fail '-Token is not accepted (the process list would show it); set $env:QP_TOKEN first, or use -TokenFile FILE' }",
      '$enrollToken = $null',
      '$enrollToken = $env:QP_TOKEN',
      '$enrollToken = (Get-Content -Raw -LiteralPath $TokenFile).Trim()',
      'if (-not $enrollToken) { Fail "no enrollment token: run `$env:QP_TOKEN = \'qpe_...\' first (copy the line from the dashboard), or use -TokenFile FILE" }',
      '$env:QP_TOKEN = $enrollToken',
      'Remove-Item Env:\\QP_TOKEN -ErrorAction SilentlyContinue',
    ]);
  });

  it('refuses everything before touching the machine: checks, download, size, sha256, signature, enrollment, the pinned key', () => {
    const at = (s: string) => {
      const i = script.indexOf(s);
      expect(i, s).toBeGreaterThan(0);
      return i;
    };
    const firstChange = at('New-Item -ItemType Directory -Force -Path $ProgramDir');
    for (const check of [
      'IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)',
      'supported: windows-x64 (Linux: install.sh)',
      'no enrollment token',
      'Invoke-WebRequest -UseBasicParsing -MaximumRedirection 0',
      'the signed manifest says $ArtSize; nothing was installed',
      'the signed manifest says $ArtSha256; nothing was installed',
      "Add-Type -TypeDefinition $Ed25519Source -Language CSharp -ReferencedAssemblies 'System.Numerics'",
      "[QuarkpulseEd25519]::VerifyArtifact($verifyKey, $ArtVersion, 'windows-x64', $gotSha, $ArtSignature)",
      "refused the download: the signature does not match the server's signing key; nothing was installed",
      '& $Exe agent verify-artifact --config $ConfigFile --file $download',
      '& $download agent enroll --server $QpServer --config (Join-Path $work',
      'if ($enrolledKey -cne $QpPublicKey) { Fail "refused the enrollment:',
    ]) {
      expect(at(check)).toBeLessThan(firstChange);
    }
    // The signature is checked before the downloaded file is first started (enrollment), on a first install too.
    expect(at('[QuarkpulseEd25519]::VerifyArtifact(')).toBeLessThan(at('& $download agent enroll'));
    expect(at('[QuarkpulseEd25519]::VerifyArtifact(')).toBeGreaterThan(at('if ($gotSha -ne $ArtSha256)'));
    // An upgrade verifies with the key the installed agent pinned, as install.sh does.
    expect(script).toContain('try { $pinned = (Get-Content -Raw -LiteralPath $ConfigFile | ConvertFrom-Json).signingPublicKey }');
    // Renamed into place; the old executable is never half overwritten.
    expect(at('Move-Item -Force -LiteralPath "$Exe.new" -Destination $Exe')).toBeGreaterThan(firstChange);
    expect(script).toContain('if ($Uninstall) {');
  });

  it.skipIf(!pwsh)('parses in PowerShell', () => {
    const file = path.join(dir, 'install.ps1');
    fs.writeFileSync(file, script);
    execFileSync(pwsh!, ['-NoProfile', '-Command', `$null = [scriptblock]::Create((Get-Content -Raw '${file}')); 'ok'`]);
  });
});

describe('agent verify-artifact (what the installed agent checks on an upgrade)', () => {
  it('accepts a file signed by the pinned key and refuses a changed file, another key or no pinned key', async () => {
    const manifest = (await new ApiClient(t.url).get('/agent/manifest.json')).json;
    const entry = manifest.artifacts.find((a: { platform: string }) => a.platform === 'windows-x64');
    const config = path.join(dir, 'agent.json');
    saveAgentConfig(config, { serverUrl: t.url, deviceId: 'd1', deviceToken: 'qpd_0123456789', signingPublicKey: manifest.signingKey.publicKey });
    const file = path.join(dir, 'download.exe');
    fs.writeFileSync(file, windowsBytes);
    const args = (f: string, cfg = config) => [
      'agent',
      'verify-artifact',
      '--config',
      cfg,
      '--file',
      f,
      '--artifact-version',
      entry.version,
      '--platform',
      'windows-x64',
      '--size',
      String(entry.size),
      '--sha256',
      entry.sha256,
      '--signature',
      entry.signature,
    ];
    expect((await run(exe, args(file))).stdout).toBe('verified: agent 3.1.4 for windows-x64, signed by the pinned key\n');

    const changed = path.join(dir, 'changed.exe');
    fs.writeFileSync(changed, Buffer.from(windowsBytes.toString().replace('really', 'REALLY')));
    await expect(run(exe, args(changed))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^SHA256_MISMATCH: sha256 of the download is [0-9a-f]{64}, the manifest says/),
    });

    const otherKey = path.join(dir, 'other.json');
    saveAgentConfig(otherKey, { serverUrl: t.url, deviceId: 'd1', deviceToken: 'qpd_0123456789', signingPublicKey: crypto.randomBytes(32).toString('base64') });
    await expect(run(exe, args(file, otherKey))).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('SIGNATURE_INVALID: the signature of agent 3.1.4 for windows-x64 is not by the pinned server key'),
    });

    const noKey = path.join(dir, 'nokey.json');
    saveAgentConfig(noKey, { serverUrl: t.url, deviceId: 'd1', deviceToken: 'qpd_0123456789' });
    await expect(run(exe, args(file, noKey))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('NO_PINNED_KEY') });
  });
});
