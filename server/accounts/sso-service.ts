/**
 * Single sign-on as the accounts see it: the admin's settings (the client secret sealed,
 * write-only), who may still use a password, and the end of a sign-in — the person's role from
 * the provider's claim, their linked user (made on the first sign-in), and the audit entries.
 * The provider protocol is server/auth/sso.ts's; the HTTP side is server/api/sso-routes.ts's.
 *
 * A person is linked by the provider's issuer and subject id. On a first sign-in a user of the
 * same name is linked only if its e-mail address is the one the provider says it verified;
 * otherwise the name is refused (someone at the provider could otherwise pick a local admin's
 * name). The provider's claim decides the role at every sign-in: moving someone out of the
 * admin group there demotes them here (and revokes their API tokens) the next time they sign in.
 */
import type { SignInMethods, SsoSettingsView } from '../../shared/api-types.js';
import { USERNAME_PATTERN } from '../../shared/username.js';
import { HttpError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { AuthSettingsStore } from '../store/auth-settings.js';
import type { UserIdentityStore } from '../store/user-identities.js';
import { NO_PASSWORD_HASH, type User, type UserStore } from '../store/users.js';
import { auditActorOf, changedFields, type AuditActor, type AuditLog } from '../audit/audit-log.js';
import {
  SSO_SECRET_PURPOSE,
  SSO_SETTINGS_KEY,
  SSO_START_PATH,
  claimAt,
  roleFromClaims,
  ssoSettingsInputSchema,
  ssoSettingsView,
  type SsoClient,
  type SsoSettings,
  type SsoSettingsInput,
} from '../auth/sso.js';
import type { UserService } from './user-service.js';

type Person = Pick<User, 'id' | 'username' | 'role'>;

const UNSET: SsoSettings = {
  isEnabled: false,
  displayName: 'single sign-on',
  issuer: '',
  clientId: '',
  scopes: ['openid', 'profile', 'email'],
  roleClaim: 'groups',
  roleMap: { admin: [], technician: [], viewer: [] },
  defaultRole: null,
  usernameClaim: 'preferred_username',
  passwordSignIn: 'everyone',
  breakGlassUsernames: [],
};

export interface SsoServiceDeps {
  settings: AuthSettingsStore;
  secrets: SecretBox;
  users: UserStore;
  identities: UserIdentityStore;
  userService: UserService;
  audit: AuditLog;
  client: SsoClient;
  now: () => number;
  /** Where people reach the server (the public URL), for the redirect URI. */
  baseUrl: () => string;
}

export function createSsoService(deps: SsoServiceDeps) {
  const { settings, secrets, users, identities, audit } = deps;
  const redirectUri = () => `${deps.baseUrl().replace(/\/+$/, '')}/auth/sso/callback`;

  function stored(): { s: SsoSettings; clientSecret: string | null; updatedAtMs: number | null; updatedBy: string | null } {
    const row = settings.get(SSO_SETTINGS_KEY);
    if (!row) return { s: UNSET, clientSecret: null, updatedAtMs: null, updatedBy: null };
    const parsed = ssoSettingsInputSchema.safeParse(row.value);
    // A row this version cannot read (edited by hand): treat single sign-on as off, keep the row.
    const s = parsed.success ? withoutSecret(parsed.data) : { ...UNSET };
    const clientSecret = row.secretSealed ? secrets.decryptSecret(row.secretSealed, SSO_SECRET_PURPOSE) : null;
    return { s, clientSecret, updatedAtMs: row.updatedAtMs, updatedBy: row.updatedBy };
  }

  function enabled() {
    const cur = stored();
    if (!cur.s.isEnabled) throw new HttpError(404, 'SSO_DISABLED', 'single sign-on is not turned on; sign in with your username and password');
    return cur;
  }

  const providerActor = (s: SsoSettings): AuditActor => ({ id: null, name: `single sign-on (${s.displayName})` });

  function refuse(user: User | undefined, code: string, message: string, remote: string | null, s: SsoSettings, detail: Record<string, unknown> = {}): never {
    audit.record(user ? auditActorOf(user) : providerActor(s), {
      action: 'login.failure',
      entityType: 'user',
      entityId: user?.id ?? null,
      summary: user ? `refused single sign-on for ${user.username}: ${message}` : `refused a single sign-on: ${message}`,
      detail: { remote, method: 'sso', code, ...detail },
    });
    throw new HttpError(403, code, message);
  }

  /** The settings as GET /api/auth/sso shows them (never the secret). */
  function view(): SsoSettingsView {
    const cur = stored();
    return ssoSettingsView(cur.s, cur.clientSecret !== null, redirectUri(), cur.updatedAtMs, cur.updatedBy);
  }

  return {
    view,

    /** An admin replaces the settings; clientSecret omitted keeps the stored one, null removes it. */
    update(admin: Person, input: SsoSettingsInput): SsoSettingsView {
      const before = stored();
      const next = withoutSecret(input);
      if (next.isEnabled && next.roleMap.admin.length + next.roleMap.technician.length + next.roleMap.viewer.length === 0 && next.defaultRole === null)
        throw new HttpError(400, 'SSO_ROLE_MAP_EMPTY', 'map at least one group or role of the provider to a Quarkpulse role, or choose a default role');
      if (next.passwordSignIn === 'break-glass') {
        if (!next.isEnabled) throw new HttpError(400, 'SSO_BREAK_GLASS_INVALID', 'password sign-in can only be limited while single sign-on is on');
        if (next.breakGlassUsernames.length === 0)
          throw new HttpError(400, 'SSO_BREAK_GLASS_INVALID', 'name at least one admin who may still sign in with a password, for when the provider is down');
        for (const name of next.breakGlassUsernames) {
          const u = users.findForLogin(name);
          if (!u || u.role !== 'admin' || !u.passwordHash.startsWith('scrypt$'))
            throw new HttpError(400, 'SSO_BREAK_GLASS_INVALID', `${name} is not an admin with a password here, so cannot be the break-glass account`);
        }
      }
      const clientSecret = input.clientSecret === undefined ? before.clientSecret : input.clientSecret;
      const sealed = clientSecret === null ? null : secrets.encryptSecret(clientSecret, SSO_SECRET_PURPOSE);
      audit.audited(auditActorOf(admin), (record) => {
        settings.put(SSO_SETTINGS_KEY, next, sealed, deps.now(), admin.username);
        const changes = changedFields(before.s, next);
        record({
          action: 'auth-settings.update',
          entityType: 'auth-settings',
          entityId: 'sso',
          summary: `single sign-on ${next.isEnabled ? `on (${next.displayName})` : 'off'}${next.passwordSignIn === 'break-glass' ? `; password sign-in only for ${next.breakGlassUsernames.join(', ')}` : ''}`,
          // The secret never goes in: only whether it changed.
          detail: { changes, clientSecretChanged: clientSecret !== before.clientSecret },
        });
      });
      return view();
    },

    /** What the login page offers (public). */
    methods(): SignInMethods {
      const { s } = stored();
      return {
        password: s.isEnabled ? s.passwordSignIn : 'everyone',
        sso: s.isEnabled ? { displayName: s.displayName, startUrl: SSO_START_PATH } : null,
      };
    },

    /** False when password sign-in is limited to break-glass admins and `username` is not one. */
    isPasswordSignInAllowed(username: string): boolean {
      const { s } = stored();
      if (!s.isEnabled || s.passwordSignIn === 'everyone') return true;
      return s.breakGlassUsernames.some((n) => n.toLowerCase() === username.toLowerCase());
    },

    /** The provider's name, for messages. */
    displayName(): string {
      return stored().s.displayName;
    },

    /** Starts a sign-in: the provider URL and the sealed round-trip cookie. */
    start(): Promise<{ url: string; cookie: string }> {
      const { s, clientSecret } = enabled();
      return deps.client.start(s, clientSecret, redirectUri());
    },

    /** Ends a sign-in at the callback: the user to start a session for (refusals are recorded). */
    async finish(callbackUrl: URL, flowCookie: string | undefined, remote: string | null): Promise<User> {
      const { s, clientSecret } = enabled();
      const id = await deps.client.finish(s, clientSecret, callbackUrl, flowCookie);
      const link = identities.find(id.issuer, id.subject);
      let user = link ? users.findById(link.userId) : undefined;
      const role = roleFromClaims(id.claims, s.roleClaim, s.roleMap, s.defaultRole);
      if (role === null) {
        const isClaimMissing = claimAt(id.claims, s.roleClaim) === undefined;
        refuse(
          user,
          'SSO_NO_ROLE',
          isClaimMissing
            ? `${s.displayName} sent no "${s.roleClaim}" claim, so no Quarkpulse role can be given; an admin must ask for the scope that carries it (Scopes, e.g. groups) or add the claim at the provider`
            : `your account at ${s.displayName} is in none of the groups that give a Quarkpulse role (claim "${s.roleClaim}"); ask an admin to add you`,
          remote,
          s,
          { subject: id.subject },
        );
      }
      if (!user) {
        const raw = id.claims[s.usernameClaim];
        const username = typeof raw === 'string' ? raw.trim() : '';
        if (!USERNAME_PATTERN.test(username))
          refuse(
            undefined,
            'SSO_USERNAME_INVALID',
            `the provider's "${s.usernameClaim}" claim (${JSON.stringify(username).slice(0, 60)}) is not a usable username: 2–50 letters, digits or . _ @ -`,
            remote,
            s,
          );
        const email = typeof id.claims.email === 'string' && id.claims.email_verified === true ? id.claims.email : null;
        const existing = users.findForLogin(username);
        if (existing && (email === null || existing.email?.toLowerCase() !== email.toLowerCase()))
          refuse(
            undefined,
            'SSO_USERNAME_TAKEN',
            `a user named ${username} exists here already and the provider did not confirm its e-mail address; an admin can set that user's e-mail to the one at ${s.displayName}, or remove it`,
            remote,
            s,
          );
        user = audit.audited(providerActor(s), (record) => {
          const u = existing ? users.findById(existing.id)! : users.create({ username, passwordHash: NO_PASSWORD_HASH, role: role!, email }, deps.now());
          identities.link(id.issuer, id.subject, u.id, deps.now());
          record(
            existing
              ? {
                  action: 'user.link-sso',
                  entityType: 'user',
                  entityId: u.id,
                  summary: `linked ${u.username} to ${s.displayName} (verified e-mail ${email})`,
                  detail: { issuer: id.issuer },
                }
              : {
                  action: 'user.create',
                  entityType: 'user',
                  entityId: u.id,
                  summary: `created user ${u.username} (${u.role}) at their first sign-in with ${s.displayName}`,
                  detail: { role: u.role, email: u.email, issuer: id.issuer },
                },
          );
          return u;
        });
      }
      if (user.role !== role) {
        try {
          user = await deps.userService.update(providerActor(s), user.id, { role: role! });
        } catch (err) {
          if (err instanceof HttpError && err.code === 'LAST_ADMIN')
            refuse(
              user,
              'SSO_LAST_ADMIN',
              `${s.displayName} no longer gives ${user.username} the admin role, but ${user.username} is the only admin here; make someone else admin first`,
              remote,
              s,
            );
          throw err;
        }
      }
      const signedIn = user;
      audit.audited(auditActorOf(signedIn), (record) => {
        identities.touch(id.issuer, id.subject, deps.now());
        record({
          action: 'login.success',
          entityType: 'user',
          entityId: signedIn.id,
          summary: `${signedIn.username} signed in with ${s.displayName}`,
          detail: { remote, method: 'sso', issuer: id.issuer },
        });
      });
      return signedIn;
    },
  };
}
export type SsoService = ReturnType<typeof createSsoService>;

function withoutSecret(input: SsoSettingsInput): SsoSettings {
  const { clientSecret: _secret, ...rest } = input;
  return rest;
}
