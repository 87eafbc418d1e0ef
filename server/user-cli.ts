/**
 * CLI glue for getting back in, on the server's machine: `quarkpulse user reset-password <name>`
 * and `quarkpulse user disable-2fa <name>`, straight on the data directory's SQLite file (works
 * while the server runs: WAL plus a busy timeout). Whoever can run this can read the data
 * directory anyway. The new password never comes from argv (it would sit in the shell history and
 * in `ps`): it is typed twice at a prompt, or read from stdin or --password-file. Both commands
 * write the audit log and end the user's sessions.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { openDatabase, type Db } from './store/database.js';
import { createUserStore, type User } from './store/users.js';
import { createTwoFactorStore } from './store/two-factor.js';
import { createApiTokenStore } from './store/api-tokens.js';
import { createUserService } from './accounts/user-service.js';
import { createAuditLog } from './audit/audit-log.js';
import { hashPassword } from './lib/secrets.js';
import { MIN_PASSWORD_LENGTH } from './auth/bootstrap.js';
import { systemClock } from './time/clock.js';

/** The user service on the data directory's database (its entries name the command line). */
function servicesOn(db: Db) {
  return createUserService({
    users: createUserStore(db),
    apiTokens: createApiTokenStore(db),
    twoFactor: createTwoFactorStore(db),
    audit: createAuditLog({ db, now: systemClock.now }),
    now: systemClock.now,
  });
}

const DATA_OPTION = ['-d, --data <dir>', 'data directory holding quarkpulse.db (env QP_DATA_DIR, default ./data)'] as const;

function dataDirOf(flags: { data?: string }): string {
  return flags.data ?? process.env.QP_DATA_DIR ?? './data';
}

function write(cmd: Command, text: string): void {
  const out = cmd.configureOutput().writeOut ?? ((s: string) => process.stdout.write(s));
  out(text);
}

/** Reads all of stdin. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks for a line without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const out = rl as unknown as { _writeToOutput: (s: string) => void };
    let isAsking = true;
    out._writeToOutput = (s: string) => {
      if (isAsking) process.stderr.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    isAsking = false;
  });
}

/** The new password: --password-file, else stdin when it is not a terminal, else a prompt (twice). */
async function readNewPassword(flags: { passwordFile?: string }, fail: (msg: string, code: string) => never): Promise<string> {
  const firstLine = (text: string) => text.split(/\r?\n/)[0] ?? '';
  if (flags.passwordFile !== undefined) {
    try {
      return firstLine(readFileSync(flags.passwordFile, 'utf8'));
    } catch (err) {
      return fail(`error: cannot read --password-file ${flags.passwordFile}: ${(err as Error).message}`, 'quarkpulse.passwordFile');
    }
  }
  if (!process.stdin.isTTY) return firstLine(await readStdin());
  const a = await promptHidden('New password: ');
  const b = await promptHidden('Type it again: ');
  if (a !== b) fail('error: the two passwords differ; nothing changed', 'quarkpulse.passwordMismatch');
  return a;
}

function withUser<T>(dataDir: string, name: string, fail: (msg: string, code: string) => never, fn: (db: Db, user: User) => T): T {
  const db = openDatabase(dataDir);
  try {
    const users = createUserStore(db);
    const found = users.findForLogin(name);
    if (!found) return fail(`error: no user named "${name}" in ${dataDir}`, 'quarkpulse.userNotFound');
    const { passwordHash: _hash, ...user } = found;
    return fn(db, user);
  } finally {
    db.close();
  }
}

/** Registers `user reset-password` and `user disable-2fa` on the top-level program. */
export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('get back in: reset a password or turn off two-factor login, on the server machine');

  user
    .command('reset-password')
    .description('set a new password for a user (prompted, or read from stdin or --password-file; never from the command line) and end their sessions')
    .argument('<name>', 'username')
    .option('--password-file <file>', 'read the new password from the first line of this file')
    .option(...DATA_OPTION)
    .action(async (name: string, flags: { passwordFile?: string; data?: string }, cmd: Command) => {
      const fail = (msg: string, code: string): never => cmd.error(msg, { exitCode: 1, code });
      const dataDir = dataDirOf(flags);
      // Look the user up before asking, so a typo in the name does not cost a password.
      withUser(dataDir, name, fail, () => undefined);
      const password = await readNewPassword(flags, fail);
      if (password.length < MIN_PASSWORD_LENGTH)
        fail(`error: the password must be at least ${MIN_PASSWORD_LENGTH} characters; nothing changed`, 'quarkpulse.passwordTooShort');
      const hash = await hashPassword(password);
      const ended = withUser(dataDir, name, fail, (db, u) => servicesOn(db).resetPasswordOnServer(u, hash));
      write(cmd, `new password set for "${name}"; ${ended} session${ended === 1 ? '' : 's'} ended\n`);
    });

  user
    .command('disable-2fa')
    .description("turn off a user's two-factor login (lost phone and recovery codes) and end their sessions")
    .argument('<name>', 'username')
    .option(...DATA_OPTION)
    .action((name: string, flags: { data?: string }, cmd: Command) => {
      const fail = (msg: string, code: string): never => cmd.error(msg, { exitCode: 1, code });
      const result = withUser(dataDirOf(flags), name, fail, (db, u) => servicesOn(db).disableTwoFactorOnServer(u));
      if (result === undefined) fail(`error: "${name}" has no two-factor login; nothing changed`, 'quarkpulse.twoFactorNotEnrolled');
      write(cmd, `two-factor login turned off for "${name}"; they log in with their password (and must enrol again if their role requires it)\n`);
    });
}
