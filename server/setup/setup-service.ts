/**
 * First start in the browser. On a fresh data directory without QP_ADMIN_PASSWORD the server
 * has no user; whoever holds the one-time setup code (printed to the console, see
 * server/auth/bootstrap.ts) chooses, in one go:
 *
 *   admin user + password ─┐
 *   public URL (links)     ├─▶ one transaction, audited as the new admin ─▶ setup done (code void)
 *   default time zone      │
 *   first client?          │
 *   e-mail server?  ───────┘   (a test send first, without saving anything)
 *
 * Afterwards setup answers 409 SETUP_DONE. The public URL can be changed later by an admin;
 * --public-url / QP_PUBLIC_URL override the stored one.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Db } from '../store/database.js';
import type { UserStore, User } from '../store/users.js';
import type { ServerSettingsStore } from '../store/server-settings.js';
import type { AuditLog } from '../audit/audit-log.js';
import { HttpError } from '../lib/errors.js';
import { hashPassword, hashToken } from '../lib/secrets.js';
import { parsePublicUrl, publicUrlWarnings, isLoopbackHost } from '../lib/public-url.js';
import { isValidTimezone } from '../time/zones.js';
import { MIN_PASSWORD_LENGTH, isSetupPending } from '../auth/bootstrap.js';
import { clientInputSchema, type Fleet } from '../fleet/index.js';
import type { Notifier } from '../notify/notifier.js';
import { usernameSchema } from '../../shared/username.js';

/** Body of POST /api/setup. */
export const setupInputSchema = z
  .object({
    code: z.string().min(1).max(200),
    admin: z
      .object({
        username: usernameSchema.default('admin'),
        password: z.string().min(MIN_PASSWORD_LENGTH, `the password must be at least ${MIN_PASSWORD_LENGTH} characters`).max(500),
        email: z.email('not an e-mail address').max(320).nullable().optional(),
      })
      .strict(),
    publicUrl: z.string().min(1).max(500),
    timezone: z.string().min(1).max(100),
    client: clientInputSchema.optional(),
    /** An e-mail channel's config (host, port, tls, auth, from), saved as the channel "E-mail". */
    email: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type SetupInput = z.infer<typeof setupInputSchema>;

/** What the setup page shows before it is filled in. */
export interface SetupStatus {
  isNeeded: boolean;
  /** The public URL in force when given by --public-url / QP_PUBLIC_URL (the field is then fixed). */
  publicUrlOverride: string | null;
}

/** What the rest of the server hands the setup service. */
export interface SetupDeps {
  db: Db;
  users: UserStore;
  settings: ServerSettingsStore;
  audit: AuditLog;
  fleet: Fleet;
  notify: Notifier;
  logger: Logger;
  now: () => number;
  /** --public-url / QP_PUBLIC_URL, which win over the stored URL. */
  publicUrlOverride: string | undefined;
  /** Resolves a host name (warnings for names that do not resolve); default DNS. */
  resolve?: (host: string) => Promise<unknown>;
}

/** Builds the setup service. */
export function createSetupService(deps: SetupDeps) {
  const { db, settings } = deps;

  /** 403 unless `code` is the pending setup's; 409 when setup is done. */
  function checkCode(code: string): void {
    const s = settings.get('setup');
    if (!s || !('codeHash' in s)) throw new HttpError(409, 'SETUP_DONE', 'setup is done; sign in instead');
    const given = Buffer.from(hashToken(code));
    const expected = Buffer.from(s.codeHash);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      throw new HttpError(
        403,
        'SETUP_CODE_WRONG',
        'the setup code is wrong: copy the whole address the server printed at its start (a restart prints a new one)',
      );
  }

  /** The normalised URL and its warnings; 400 PUBLIC_URL_INVALID when it cannot be one. */
  async function checkPublicUrl(raw: string, field = 'publicUrl'): Promise<{ url: string; warnings: string[] }> {
    const parsed = parsePublicUrl(raw);
    if ('error' in parsed) throw new HttpError(400, 'PUBLIC_URL_INVALID', `${field}: ${parsed.error}`);
    return { url: parsed.url, warnings: await publicUrlWarnings(parsed.url, deps.resolve) };
  }

  return {
    status(): SetupStatus {
      return { isNeeded: isSetupPending(settings), publicUrlOverride: deps.publicUrlOverride ?? null };
    },
    checkCode,
    checkPublicUrl,

    /** A test message to `to` through the e-mail server being set up; nothing is saved. */
    async testEmail(code: string, config: unknown, to: string): Promise<{ ok: true; detail: string | null }> {
      checkCode(code);
      const r = await deps.notify.channelService.testDraft('email', config, to, 'Quarkpulse setup');
      return { ok: true, detail: r.detail };
    },

    /** Does the setup; returns the new admin (the route starts their session) and the URL's warnings. */
    async complete(input: SetupInput): Promise<{ user: User; warnings: string[] }> {
      checkCode(input.code);
      const { url, warnings } = await checkPublicUrl(deps.publicUrlOverride ?? input.publicUrl);
      if (!isValidTimezone(input.timezone))
        throw new HttpError(400, 'TIMEZONE_INVALID', `timezone: "${input.timezone}" is not an IANA time zone such as Europe/Amsterdam`);
      const passwordHash = await hashPassword(input.admin.password);
      const nowMs = deps.now();
      const user = db.transaction((): User => {
        // Checked again inside the transaction: two browsers submitting at once get one setup.
        checkCode(input.code);
        const admin = deps.audit.audited({ id: null, name: input.admin.username }, (record) => {
          const u = deps.users.create({ username: input.admin.username, passwordHash, role: 'admin', email: input.admin.email ?? null }, nowMs);
          record({
            action: 'user.create',
            entityType: 'user',
            entityId: u.id,
            summary: `created user ${u.username} (admin) on the setup page`,
            detail: { role: 'admin' },
          });
          return u;
        });
        const actor = { id: admin.id, name: admin.username };
        deps.audit.audited(actor, (record) => {
          if (!deps.publicUrlOverride) settings.set('publicUrl', url, nowMs);
          settings.set('timezone', input.timezone, nowMs);
          settings.set('setup', { doneAtMs: nowMs, by: admin.username }, nowMs);
          record({
            action: 'server.setup',
            entityType: 'server',
            entityId: 'setup',
            summary: `set up the server: public URL ${url}, time zone ${input.timezone}`,
            detail: { publicUrl: url, timezone: input.timezone, warnings },
          });
        });
        if (input.client) deps.fleet.clients.create(actor, { timezone: input.timezone, ...input.client });
        if (input.email) deps.notify.channelService.create({ type: 'email', name: 'E-mail', config: input.email }, { id: admin.id, username: admin.username });
        return admin;
      })();
      deps.logger.info({ username: user.username, publicUrl: url }, 'setup done on the setup page');
      if (isLoopbackHost(new URL(url).hostname))
        deps.logger.warn({ publicUrl: url }, 'the public URL is a loopback address: links in notifications will not open on phones');
      return { user, warnings };
    },

    /** The public URL in force and where it comes from, for the dashboard's banner and settings. */
    publicUrl(listenUrl: string): { publicUrl: string; source: 'flag' | 'setup' | 'listen address'; isLoopback: boolean; hasChannels: boolean } {
      const stored = settings.get('publicUrl');
      const publicUrl = deps.publicUrlOverride ?? stored ?? listenUrl;
      return {
        publicUrl,
        source: deps.publicUrlOverride ? 'flag' : stored ? 'setup' : 'listen address',
        isLoopback: isLoopbackHost(new URL(publicUrl).hostname),
        hasChannels: deps.notify.channels.list().length > 0,
      };
    },

    /**
     * Logs a warning when channels exist and their links would point at a loopback address (at
     * start and when a channel is made); true when it warned.
     */
    warnIfLinksLocal(listenUrl: string): boolean {
      const p = this.publicUrl(listenUrl);
      if (!p.isLoopback || !p.hasChannels) return false;
      deps.logger.warn(
        { publicUrl: p.publicUrl },
        `links in notifications point at ${p.publicUrl}, which only this machine opens: set the public URL (dashboard: Channels; or --public-url / QP_PUBLIC_URL)`,
      );
      return true;
    },

    /** An admin changes the public URL later (409 PUBLIC_URL_FIXED while a flag sets it). */
    async setPublicUrl(raw: string, actor: { id: string; username: string }): Promise<{ url: string; warnings: string[] }> {
      if (deps.publicUrlOverride)
        throw new HttpError(409, 'PUBLIC_URL_FIXED', `the public URL is set by --public-url / QP_PUBLIC_URL (${deps.publicUrlOverride}); change it there`);
      const { url, warnings } = await checkPublicUrl(raw);
      deps.audit.audited({ id: actor.id, name: actor.username }, (record) => {
        settings.set('publicUrl', url, deps.now());
        record({
          action: 'server.public-url',
          entityType: 'server',
          entityId: 'public-url',
          summary: `set the public URL to ${url}`,
          detail: { publicUrl: url, warnings },
        });
      });
      return { url, warnings };
    },
  };
}
export type SetupService = ReturnType<typeof createSetupService>;
