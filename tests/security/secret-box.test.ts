/** The sealing primitive: AES-256-GCM with the purpose as additional data, a key ring, a key file. */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox, generateSecretKey, openSecretBox, readKeyFile, SecretBoxError, writeKeyFile } from '../../server/lib/secret-box.js';

describe('secret box', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('opens what it sealed, only for the same purpose and untampered', () => {
    const key = generateSecretKey(1);
    const box = createSecretBox([key]);
    const a = box.encryptSecret('smtp-pass-ü-✓', 'channel-config');
    const b = box.encryptSecret('smtp-pass-ü-✓', 'channel-config');
    expect(a).not.toBe(b); // a fresh IV every time
    expect(a.startsWith(`enc1:${key.id}:`)).toBe(true);
    expect(box.decryptSecret(a, 'channel-config')).toBe('smtp-pass-ü-✓');
    const refusals: [string, string, string][] = [
      ['another purpose', a, 'totp-secret'],
      [
        'a flipped ciphertext byte',
        a.replace(
          /:([A-Za-z0-9_-])([A-Za-z0-9_-]*):([A-Za-z0-9_-]+)$/,
          (_m, c: string, rest: string, tag: string) => `:${c === 'A' ? 'B' : 'A'}${rest}:${tag}`,
        ),
        'channel-config',
      ],
      ['a missing part', a.split(':').slice(0, 4).join(':'), 'channel-config'],
    ];
    for (const [what, value, purpose] of refusals) {
      expect(() => box.decryptSecret(value, purpose), what).toThrow(SecretBoxError);
    }
    expect(() => box.decryptSecret(a, 'totp-secret')).toThrow(
      `a sealed totp-secret does not open with key ${key.id} (tampered, or sealed for another purpose)`,
    );
    expect(() => box.decryptSecret('{"plain":true}', 'channel-config')).toThrow('the value is not sealed');
    const other = createSecretBox([generateSecretKey(2)]);
    expect(() => other.decryptSecret(a, 'channel-config')).toThrow(new RegExp(`uses key ${key.id}, which the key file \\(in memory\\) does not hold`));
    // A ring opens values of every key it holds and seals with the first.
    const ring = createSecretBox([generateSecretKey(3), key]);
    expect(ring.decryptSecret(a, 'channel-config')).toBe('smtp-pass-ü-✓');
    expect(ring.encryptSecret('x', 'p').startsWith(`enc1:${ring.currentKeyId()}:`)).toBe(true);
  });

  it('creates its key file 0600 once, reloads it when it changes, and refuses a damaged one', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'qp-box-'));
    const file = path.join(dir, 'secret.key');
    const box = openSecretBox(file, 1000);
    expect(box.created).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const sealed = box.encryptSecret('hello', 'p');
    const again = openSecretBox(file, 2000);
    expect(again.created).toBe(false);
    expect(again.decryptSecret(sealed, 'p')).toBe('hello');

    // Another process rotates: the running box follows the file.
    const fresh = generateSecretKey(3000);
    writeKeyFile(file, [fresh, ...readKeyFile(file)]);
    expect(box.currentKeyId()).toBe(fresh.id);
    expect(box.decryptSecret(sealed, 'p')).toBe('hello');

    writeFileSync(file, '{"version":1,"keys":[]}', { mode: 0o600 });
    expect(() => openSecretBox(file, 4000)).toThrow(`the secret key file ${file} is damaged (not a Quarkpulse key file); restore it from your backup`);
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"keys":[]}');
  });
});
