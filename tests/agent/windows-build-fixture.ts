/** A release build folder holding one stand-in windows-x64 executable, as the server's agent-dist reads it (build.json + file). */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes `<dir>/build` with `bytes` as version 3.1.4's windows-x64 executable; returns the folder. */
export function writeWindowsBuild(dir: string, bytes: Buffer): string {
  const build = path.join(dir, 'build');
  fs.mkdirSync(build);
  fs.writeFileSync(path.join(build, 'quarkpulse-agent-windows-x64.exe'), bytes);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  fs.writeFileSync(
    path.join(build, 'build.json'),
    JSON.stringify({ version: '3.1.4', artifacts: [{ platform: 'windows-x64', file: 'quarkpulse-agent-windows-x64.exe', size: bytes.length, sha256 }] }),
  );
  return build;
}
