/** A throw-away CA and server certificates for the probe's TLS tests, made with Debian's openssl. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCa {
  caPem: string;
  /** A server certificate for 127.0.0.1 and localhost, valid `days` days from now. */
  issue(name: string, days: number): { certPem: string; keyPem: string };
}

/** Makes a CA in `dir`. */
export function makeTestCa(dir: string): TestCa {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-subj',
    '/CN=Quarkpulse Test CA',
  );
  return {
    caPem: fs.readFileSync(path.join(dir, 'ca.pem'), 'utf8'),
    issue(name, days) {
      run(
        'req',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.csr`,
        '-subj',
        `/CN=${name}`,
      );
      fs.writeFileSync(path.join(dir, `${name}.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
      run(
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.pem`,
        '-days',
        String(days),
        '-extfile',
        `${name}.ext`,
      );
      return { certPem: fs.readFileSync(path.join(dir, `${name}.pem`), 'utf8'), keyPem: fs.readFileSync(path.join(dir, `${name}.key`), 'utf8') };
    },
  };
}
