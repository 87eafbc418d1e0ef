/**
 * The Ed25519 verifier that install.ps1 compiles with Add-Type on Windows, compiled and run here
 * with Mono: `mcs -langversion:5` (the C# level of the compiler .NET Framework's Add-Type uses;
 * it refuses `$"…"`, `?.`, `=>` members and the like) and `-warnaserror+` (Add-Type treats
 * warnings as errors). The C# compiled is the text cut out of the install.ps1 a running server
 * served, and it must equal ED25519_VERIFY_CSHARP. Vectors: signatures made here by node:crypto
 * over the real signing message (shared/node/signing-message.ts), tampered ones, S + L, another
 * key, and RFC 8032 §7.1 tests 1–3.
 *
 * Windows is not available here: neither Windows PowerShell 5.1's csc nor PowerShell 7's Roslyn
 * compiles this in the tests; Mono's compiler and runtime stand in for both.
 *
 * Needs `mcs` and `mono` (Debian: mono-mcs, mono-runtime, libmono-system-numerics4.0-cil, which
 * .ci/run installs). Without them a developer machine skips; in CI (CI=true) the test fails.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactSigningMessage } from '../../server/signing/signing-key.js';
import { ED25519_VERIFY_CSHARP, ED25519_VERIFY_TYPE } from '../../server/agent-dist/ed25519-verify-cs.js';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { writeWindowsBuild } from './windows-build-fixture.js';

const hasMono = spawnSync('mcs', ['--version']).status === 0 && spawnSync('mono', ['--version']).status === 0;
const inCi = process.env.CI === 'true';

/** Reads cases from stdin, one a line: `name raw <key hex> <message hex or -> <signature hex>`,
 * `name artifact <key b64> <version> <platform> <sha256> <signature b64>` or `name point <32 bytes hex>`;
 * prints `name accepted|refused <ms>`. */
const HARNESS = `using System;
using System.Diagnostics;
public static class Harness
{
    static byte[] Hex(string s)
    {
        if (s == "-") return new byte[0];
        byte[] b = new byte[s.Length / 2];
        for (int i = 0; i < b.Length; i++) b[i] = Convert.ToByte(s.Substring(2 * i, 2), 16);
        return b;
    }
    public static int Main()
    {
        string line;
        while ((line = Console.ReadLine()) != null)
        {
            string[] f = line.Split(' ');
            Stopwatch w = Stopwatch.StartNew();
            bool ok = f[1] == "raw"
                ? ${ED25519_VERIFY_TYPE}.Verify(Hex(f[2]), Hex(f[3]), Hex(f[4]))
                : f[1] == "point"
                ? ${ED25519_VERIFY_TYPE}.DecodesToPoint(Hex(f[2]))
                : ${ED25519_VERIFY_TYPE}.VerifyArtifact(f[2], f[3], f[4], f[5], f[6]);
            w.Stop();
            Console.WriteLine(f[0] + " " + (ok ? "accepted" : "refused") + " " + w.Elapsed.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        }
        return 0;
    }
}
`;

// RFC 8032 §7.1, TEST 1–3: public key, message, signature (hex).
const RFC8032 = [
  [
    'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    '',
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  ],
  [
    '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    '72',
    '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  ],
  [
    'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    'af82',
    '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  ],
] as const;

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;
const modPow = (b: bigint, e: bigint, m: bigint): bigint => {
  let r = 1n;
  for (b %= m; e > 0n; e >>= 1n, b = (b * b) % m) if (e & 1n) r = (r * b) % m;
  return r;
};
const mod = (a: bigint) => ((a % P) + P) % P;
const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const rawKey = (k: crypto.KeyObject) => k.export({ format: 'der', type: 'spki' }).subarray(12);
/** `buf` with bit `bit` of byte `byte` flipped. */
const flip = (buf: Buffer, byte: number, bit: number) => {
  const b = Buffer.from(buf);
  b[byte]! ^= 1 << bit;
  return b;
};
/** `s` with bit 0 of the character at `i` flipped. */
const flipChar = (s: string, i: number) => s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ 1) + s.slice(i + 1);
const leToBig = (b: Buffer) => BigInt(`0x${Buffer.from(b).reverse().toString('hex') || '0'}`);
const bigToLe32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();

let dir: string;
let t: TestServer | undefined;
let script: string;
let servedKey: string;
let servedEntry: { version: string; platform: string; size: number; sha256: string; signature: string };
let exe: string;
const windowsBytes = Buffer.from('MZ not really windows, but signed by the server');

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-ps1-ed25519-'));
  const build = writeWindowsBuild(dir, windowsBytes);
  t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [build], publicUrl: 'https://monitor.example.nl' });
  script = await (await fetch(`${t.url}/install.ps1`)).text();
  const api = new ApiClient(t.url);
  servedKey = (await api.get('/agent/signing-key')).json.publicKey;
  servedEntry = (await api.get('/agent/manifest.json')).json.artifacts.find((a: { platform: string }) => a.platform === 'windows-x64');

  if (!hasMono) {
    if (inCi) throw new Error('mcs and mono are missing: CI needs them (.ci/run installs mono-mcs, mono-runtime, libmono-system-numerics4.0-cil)');
    return;
  }
  // Compile the C# exactly as the served script carries it (cut out of its here-string).
  const m = /\n\$Ed25519Source = @'\n([\s\S]*?)\n'@\n/.exec(script);
  if (!m) throw new Error('install.ps1 has no $Ed25519Source here-string');
  fs.writeFileSync(path.join(dir, 'verify.cs'), `${m[1]}\n`);
  fs.writeFileSync(path.join(dir, 'harness.cs'), HARNESS);
  exe = path.join(dir, 'verify.exe');
  execFileSync('mcs', ['-langversion:5', '-warnaserror+', '-r:System.Numerics.dll', `-out:${exe}`, path.join(dir, 'verify.cs'), path.join(dir, 'harness.cs')], {
    encoding: 'utf8',
  });
}, 120_000);
afterAll(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the cases in one mono process; name → [accepted, ms]. */
function verifyAll(cases: string[][]): Map<string, [boolean, number]> {
  const out = execFileSync('mono', [exe], { input: `${cases.map((c) => c.join(' ')).join('\n')}\n`, encoding: 'utf8', timeout: 60_000 });
  const results = new Map<string, [boolean, number]>();
  for (const line of out.trim().split('\n')) {
    const [name, verdict, ms] = line.split(' ');
    results.set(name!, [verdict === 'accepted', Number(ms)]);
  }
  expect([...results.keys()]).toEqual(cases.map((c) => c[0]));
  return results;
}

describe('the install.ps1 Ed25519 verifier (C# under Mono)', () => {
  it('is in the generated install.ps1 unchanged, beside the pinned key of the server that generated it', () => {
    expect(script).toContain(`\n$Ed25519Source = @'\n${ED25519_VERIFY_CSHARP}'@\n`);
    expect(script.split(ED25519_VERIFY_CSHARP).length).toBe(2);
    expect(servedKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(script).toContain(`\n$QpPublicKey = '${servedKey}'\n`);
    expect(script).toContain(`[${ED25519_VERIFY_TYPE}]::VerifyArtifact($verifyKey, $ArtVersion, 'windows-x64', $gotSha, $ArtSignature)`);
    // Stays the same inside a TypeScript template and a PowerShell single-quoted here-string.
    expect(ED25519_VERIFY_CSHARP).not.toMatch(/[\\`$]/);
    expect(ED25519_VERIFY_CSHARP.split('\n').some((l) => l.startsWith("'@"))).toBe(false);
  });

  it.skipIf(!hasMono && !inCi)('accepts the signature the server made for its windows-x64 entry, with the key the script pins', () => {
    expect(servedEntry.version).toBe('3.1.4');
    const r = verifyAll([
      ['served', 'artifact', servedKey, servedEntry.version, 'windows-x64', sha(windowsBytes), servedEntry.signature],
      ['served-other-version', 'artifact', servedKey, '3.1.5', 'windows-x64', sha(windowsBytes), servedEntry.signature],
    ]);
    expect(r.get('served')![0]).toBe(true);
    expect(r.get('served-other-version')![0]).toBe(false);
  });

  it.skipIf(!hasMono && !inCi)(
    'accepts a node:crypto signature over the signing message; refuses a flipped bit in sha256, version, platform, signature, another key, S + L',
    () => {
      const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
      const other = crypto.generateKeyPairSync('ed25519').publicKey;
      const key = rawKey(publicKey).toString('base64');
      const entry = { version: '3.1.4', platform: 'windows-x64', sha256: sha(crypto.randomBytes(1000)) };
      const message = artifactSigningMessage(entry);
      expect(message.toString()).toBe(`quarkpulse/agent-artifact/v1\n3.1.4\nwindows-x64\n${entry.sha256}`);
      const sig = crypto.sign(null, message, privateKey);
      // S + L: the same point [S]B, a second encoding of a valid signature; RFC 8032 refuses S >= L (node does too).
      const sPlusL = Buffer.concat([sig.subarray(0, 32), bigToLe32(leToBig(sig.subarray(32)) + L)]);
      expect(crypto.verify(null, message, publicKey, sPlusL)).toBe(false);
      const art = (name: string, o: Partial<typeof entry> & { key?: string; sig?: Buffer | string } = {}) => [
        name,
        'artifact',
        o.key ?? key,
        o.version ?? entry.version,
        o.platform ?? entry.platform,
        o.sha256 ?? entry.sha256,
        typeof o.sig === 'string' ? o.sig : (o.sig ?? sig).toString('base64'),
      ];
      const cases = [
        art('valid'),
        ['valid-raw', 'raw', rawKey(publicKey).toString('hex'), message.toString('hex'), sig.toString('hex')],
        // The agent lowercases the sha256 before signing and checking; so does the verifier.
        art('valid-uppercase-sha256', { sha256: entry.sha256.toUpperCase() }),
        art('sha256-first-char', { sha256: flipChar(entry.sha256, 0) }),
        art('sha256-last-char', { sha256: flipChar(entry.sha256, 63) }),
        art('version', { version: flipChar(entry.version, 4) }),
        art('platform', { platform: flipChar(entry.platform, 0) }),
        art('platform-linux', { platform: 'linux-x64' }),
        art('sig-r-bit0', { sig: flip(sig, 0, 0) }),
        art('sig-r-bit255', { sig: flip(sig, 31, 7) }),
        art('sig-s-bit0', { sig: flip(sig, 32, 0) }),
        art('sig-s-bit255', { sig: flip(sig, 63, 7) }),
        art('sig-s-plus-l', { sig: sPlusL }),
        art('other-key', { key: rawKey(other).toString('base64') }),
        art('key-bit', { key: flip(rawKey(publicKey), 5, 3).toString('base64') }),
        art('sig-short', { sig: sig.subarray(0, 63) }),
        art('sig-not-base64', { sig: '!!!!' }),
        art('key-not-base64', { key: 'not*base64' }),
        ['raw-message-bit', 'raw', rawKey(publicKey).toString('hex'), flip(message, message.length - 1, 0).toString('hex'), sig.toString('hex')],
      ];
      const r = verifyAll(cases);
      const accepted = [...r].filter(([, [ok]]) => ok).map(([name]) => name);
      expect(accepted).toEqual(['valid', 'valid-raw', 'valid-uppercase-sha256']);
      // Every refusal here is one node refuses too.
      for (const c of cases.filter((x) => x[1] === 'artifact' && !accepted.includes(x[0]!))) {
        const [, , k, version, platform, sha256, s] = c;
        let nodeOk: boolean;
        try {
          const pub = crypto.createPublicKey({
            key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(k!, 'base64')]),
            format: 'der',
            type: 'spki',
          });
          nodeOk = crypto.verify(null, artifactSigningMessage({ version: version!, platform: platform!, sha256: sha256! }), pub, Buffer.from(s!, 'base64'));
        } catch {
          nodeOk = false;
        }
        expect(nodeOk, c[0]).toBe(false);
      }
    },
  );

  it.skipIf(!hasMono && !inCi)('accepts RFC 8032 §7.1 tests 1–3 and refuses each with the message or the signature changed', () => {
    const cases = RFC8032.flatMap(([pk, msg, sig], i) => [
      [`rfc-${i + 1}`, 'raw', pk, msg || '-', sig],
      [`rfc-${i + 1}-message`, 'raw', pk, msg ? flip(Buffer.from(msg, 'hex'), 0, 0).toString('hex') : '00', sig],
      [`rfc-${i + 1}-signature`, 'raw', pk, msg || '-', flip(Buffer.from(sig, 'hex'), 40, 2).toString('hex')],
    ]);
    const r = verifyAll(cases);
    expect([...r].filter(([, [ok]]) => ok).map(([name]) => name)).toEqual(['rfc-1', 'rfc-2', 'rfc-3']);
  });

  it.skipIf(!hasMono && !inCi)('decodes only canonical curve points: refuses y >= p, a non-square x², x = 0 with the sign bit', () => {
    const d = mod(-121665n * modPow(121666n, P - 2n, P));
    // The first y whose x² = (y² - 1) / (d y² + 1) has no square root (Euler's criterion): no point has it.
    let y = 2n;
    while (modPow(mod((y * y - 1n) * modPow(mod(d * y * y + 1n), P - 2n, P)), (P - 1n) / 2n, P) !== P - 1n) y++;
    const withSign = (b: Buffer) => flip(b, 31, 7);
    const r = verifyAll([
      ['identity', 'point', bigToLe32(1n).toString('hex')],
      ['base-point', 'point', bigToLe32(mod(4n * modPow(5n, P - 2n, P))).toString('hex')],
      ['public-key', 'point', rawKey(crypto.generateKeyPairSync('ed25519').publicKey).toString('hex')],
      ['y-is-p', 'point', bigToLe32(P).toString('hex')],
      ['y-is-p-plus-1', 'point', bigToLe32(P + 1n).toString('hex')],
      ['non-square', 'point', bigToLe32(y).toString('hex')],
      ['non-square-signed', 'point', withSign(bigToLe32(y)).toString('hex')],
      ['x-zero-signed', 'point', withSign(bigToLe32(1n)).toString('hex')],
    ]);
    expect([...r].filter(([, [ok]]) => ok).map(([name]) => name)).toEqual(['identity', 'base-point', 'public-key']);
  });

  it.skipIf(!hasMono && !inCi)('verifies in well under a second (clarity over speed, but an install must not wait)', () => {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
    const cases = Array.from({ length: 10 }, (_, i) => {
      const entry = { version: `1.0.${i}`, platform: 'windows-x64', sha256: sha(Buffer.from(String(i))) };
      return [
        `t${i}`,
        'artifact',
        rawKey(publicKey).toString('base64'),
        entry.version,
        entry.platform,
        entry.sha256,
        crypto.sign(null, artifactSigningMessage(entry), privateKey).toString('base64'),
      ];
    });
    const started = process.hrtime.bigint();
    const r = verifyAll(cases);
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    const ms = [...r.values()].map(([ok, m]) => {
      expect(ok).toBe(true);
      return m;
    });
    // The first includes JIT and the static constructor. The machine is shared (2 cores, several
    // test runs at once), so the bounds are loose: unloaded, one verify takes about 7 ms.
    const median = [...ms.slice(1)].sort((a, b) => a - b)[4]!;
    console.log(`C# Ed25519 verify under mono: first ${ms[0]} ms, then median ${median} ms; 10 verifies in one mono process ${wallMs.toFixed(0)} ms wall`);
    expect(median).toBeLessThan(1000);
    for (const m of ms) expect(m).toBeLessThan(5000);
  });
});
