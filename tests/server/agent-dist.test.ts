/**
 * Agent distribution: the signing key file (made on first start, outside the database, 0600,
 * refused when others may read it), the signed manifest, downloads, precise 404s, and the key
 * pinned by an agent at enrollment. The executables here are small stand-in files with a real
 * build.json; tests/agent/executables.test.ts builds the real ones.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { artifactSigningMessage, signingMessage, verifySignature } from '../../server/signing/signing-key.js';
import { loadOrCreateSigningKey, SigningKeyError } from '../../server/signing/signing-key.js';
import { enrollDevice } from '../../agent/enroll.js';
import { verifyArtifactFile } from '../../agent/artifact-verify.js';

let dir: string;
let t: TestServer | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A build directory like `npm run build:agent` makes, with small stand-in executables. */
function fakeBuild(root: string, version: string, platforms: Record<string, Buffer>, sizeOverride: Record<string, number> = {}): string {
  const d = path.join(root, `build-${version}`);
  fs.mkdirSync(d, { recursive: true });
  const artifacts = Object.entries(platforms).map(([platform, bytes]) => {
    const file = `quarkpulse-agent-${platform}${platform.startsWith('windows') ? '.exe' : ''}`;
    fs.writeFileSync(path.join(d, file), bytes);
    return { platform, file, size: sizeOverride[platform] ?? bytes.length, sha256: sha(bytes) };
  });
  fs.writeFileSync(path.join(d, 'build.json'), JSON.stringify({ version, nodeVersion: process.versions.node, artifacts }));
  return d;
}

describe('signing key', () => {
  it('is made on first start as a 0600 file outside the database, and is the same key after a restart', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-sign-'));
    const keyFile = path.join(dir, 'other-disk', 'keys', 'signing.pem');
    t = await startTestServer({ dataDir: path.join(dir, 'data'), signingKeyFile: keyFile, agentArtifactDirs: [] });
    const first = (await new ApiClient(t.url).get('/agent/signing-key')).json;
    expect(first).toMatchObject({ algorithm: 'Ed25519' });
    expect(Buffer.from(first.publicKey, 'base64')).toHaveLength(32);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(dir, 'data', 'signing-key.pem'))).toBe(false);
    await t.close();
    t = undefined;
    // Not in the database, in any form: the PEM body and the raw private key bytes are absent.
    const pem = fs.readFileSync(keyFile, 'utf8');
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const rawPrivate = der.subarray(der.length - 32);
    for (const f of fs.readdirSync(path.join(dir, 'data'))) {
      const bytes = fs.readFileSync(path.join(dir, 'data', f));
      expect(bytes.includes(rawPrivate)).toBe(false);
      expect(bytes.includes(Buffer.from(pem.split('\n')[1]!))).toBe(false);
    }
    t = await startTestServer({ dataDir: path.join(dir, 'data'), signingKeyFile: keyFile, agentArtifactDirs: [] });
    expect((await new ApiClient(t.url).get('/agent/signing-key')).json).toEqual(first);
  });

  it('defaults to <dataDir>/signing-key.pem', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-sign-'));
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [] });
    expect(fs.statSync(path.join(dir, 'data', 'signing-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that others may read, and one that is not a PEM key, saying what to do', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-sign-'));
    const file = path.join(dir, 'k.pem');
    loadOrCreateSigningKey(file);
    fs.chmodSync(file, 0o644);
    expect(() => loadOrCreateSigningKey(file)).toThrow(
      new SigningKeyError(`signing key ${file} may be read by other users (mode 644); run: chmod 600 ${file}`),
    );
    fs.writeFileSync(file, 'not a key', { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    expect(() => loadOrCreateSigningKey(file)).toThrow(
      /^signing key .* is not a PEM private key \(.*\); restore it from your backup — agents pinned its public key$/,
    );
  });

  it('signs per purpose: an artifact signature does not verify as anything else', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-sign-'));
    const key = loadOrCreateSigningKey(path.join(dir, 'k.pem'));
    const fields = ['0.1.0', 'linux-x64', 'a'.repeat(64)];
    const sig = key.sign('agent-artifact', fields);
    expect(verifySignature(key.publicKey, signingMessage('agent-artifact', fields), sig)).toBe(true);
    expect(verifySignature(key.publicKey, signingMessage('maintenance-job', fields), sig)).toBe(false);
    expect(() => signingMessage('agent-artifact', ['a\nb'])).toThrow(new TypeError('a signed field must not contain a line feed'));
  });
});

describe('manifest and downloads', () => {
  it('lists each executable with size, sha256 and a signature over (version, platform, sha256) by the served key', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-dist-'));
    const files = { 'linux-x64': Buffer.from('linux x64 executable'), 'windows-x64': Buffer.from('MZ windows executable') };
    const build = fakeBuild(dir, '1.2.3', files);
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [build] });
    const api = new ApiClient(t.url);
    const key = (await api.get('/agent/signing-key')).json;
    const manifest = (await api.get('/agent/manifest.json')).json;
    expect(manifest).toMatchObject({ v: 1, signingKey: key });
    expect(manifest.artifacts.map((a: any) => [a.version, a.platform, a.size, a.sha256, a.url])).toEqual([
      ['1.2.3', 'linux-x64', files['linux-x64'].length, sha(files['linux-x64']), '/agent/download/1.2.3/linux-x64'],
      ['1.2.3', 'windows-x64', files['windows-x64'].length, sha(files['windows-x64']), '/agent/download/1.2.3/windows-x64'],
    ]);
    for (const a of manifest.artifacts) {
      expect(verifySignature(key.publicKey, artifactSigningMessage(a), a.signature)).toBe(true);
      // The signature binds all three: another version, platform or hash does not verify.
      expect(verifySignature(key.publicKey, artifactSigningMessage({ ...a, version: '1.2.4' }), a.signature)).toBe(false);
      expect(verifySignature(key.publicKey, artifactSigningMessage({ ...a, platform: 'linux-arm64' }), a.signature)).toBe(false);
      expect(verifySignature(key.publicKey, artifactSigningMessage({ ...a, sha256: 'b'.repeat(64) }), a.signature)).toBe(false);
      const res = await fetch(t.url + a.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/octet-stream');
      expect(res.headers.get('x-quarkpulse-sha256')).toBe(a.sha256);
      expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(a.sha256);
    }
  });

  it('answers a platform without executables and a missing version with precise 404s', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-dist-'));
    const build = fakeBuild(dir, '1.2.3', { 'linux-x64': Buffer.from('x') });
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [build] });
    const api = new ApiClient(t.url);
    expect(await api.get('/agent/download/1.2.3/darwin-arm64')).toMatchObject({
      status: 404,
      json: {
        error: { code: 'PLATFORM_UNSUPPORTED', message: 'no agent is built for platform "darwin-arm64"; supported: linux-x64, linux-arm64, windows-x64' },
      },
    });
    expect(await api.get('/agent/download/9.9.9/linux-x64')).toMatchObject({
      status: 404,
      json: { error: { code: 'ARTIFACT_NOT_FOUND', message: 'this server has no agent 9.9.9 for linux-x64; available: 1.2.3' } },
    });
    expect(await api.get('/agent/download/1.2.3/linux-arm64')).toMatchObject({
      status: 404,
      json: {
        error: {
          code: 'ARTIFACT_NOT_FOUND',
          message: 'this server has no agent 1.2.3 for linux-arm64; no executables are installed on this server (npm run build:agent)',
        },
      },
    });
    expect((await api.get('/agent/nothing-here')).status).toBe(404);
  });

  it('leaves out an executable whose size is not what build.json says (a half-copied release)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-dist-'));
    const build = fakeBuild(dir, '1.2.3', { 'linux-x64': Buffer.from('whole'), 'linux-arm64': Buffer.from('half') }, { 'linux-arm64': 999 });
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [build] });
    const manifest = (await new ApiClient(t.url).get('/agent/manifest.json')).json;
    expect(manifest.artifacts.map((a: any) => a.platform)).toEqual(['linux-x64']);
  });

  it('an agent pins the served key at enrollment and refuses a download that was tampered with', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qp-dist-'));
    const bytes = Buffer.from('genuine agent executable');
    const build = fakeBuild(dir, '1.2.3', { 'linux-x64': bytes });
    t = await startTestServer({ dataDir: path.join(dir, 'data'), agentArtifactDirs: [build] });
    const api = new ApiClient(t.url);
    await api.login();
    const client = (await api.post('/api/clients', { name: 'Pin', contract: 'monthly' })).json;
    const token = (await api.post(`/api/clients/${client.id}/enrollment-tokens`, {})).json.token;
    const answer = await enrollDevice({ serverUrl: t.url, token, hostname: 'pin-host' });
    const served = (await api.get('/agent/signing-key')).json;
    expect(answer.signingKey).toEqual(served);

    const [claim] = (await api.get('/agent/manifest.json')).json.artifacts;
    const file = path.join(dir, 'download');
    fs.writeFileSync(file, Buffer.from(await (await fetch(t.url + claim.url)).arrayBuffer()));
    expect(verifyArtifactFile(file, claim, answer.signingKey!.publicKey)).toEqual({ ok: true });
    const tampered = Buffer.from(bytes);
    tampered[0] = tampered[0]! ^ 1;
    fs.writeFileSync(file, tampered);
    expect(verifyArtifactFile(file, claim, answer.signingKey!.publicKey)).toEqual({
      ok: false,
      code: 'SHA256_MISMATCH',
      message: `sha256 of the download is ${sha(tampered)}, the manifest says ${claim.sha256}`,
    });
    // A forged manifest entry for the tampered bytes, signed by some other key, is refused too.
    const other = loadOrCreateSigningKey(path.join(dir, 'attacker.pem'));
    const forged = { ...claim, sha256: sha(tampered), signature: other.sign('agent-artifact', [claim.version, claim.platform, sha(tampered)]) };
    expect(verifyArtifactFile(file, forged, answer.signingKey!.publicKey)).toEqual({
      ok: false,
      code: 'SIGNATURE_INVALID',
      message: 'the signature of agent 1.2.3 for linux-x64 is not by the pinned server key',
    });
    expect(verifyArtifactFile(file, forged, undefined)).toMatchObject({ ok: false, code: 'NO_PINNED_KEY' });
  });
});
