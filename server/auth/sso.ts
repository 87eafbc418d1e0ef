/**
 * Single sign-on with OpenID Connect (npm `openid-client`): the authorization code flow with PKCE
 * (S256), state and nonce, against any OpenID provider (Microsoft Entra ID, Google, Authentik,
 * Keycloak). The provider's metadata is read from its issuer URL; the ID token is checked by
 * openid-client (signature, issuer, audience, expiry, nonce) and its claims are merged with the
 * userinfo endpoint's, because providers differ in where they put groups.
 *
 *   GET /auth/sso/start ─▶ provider (login, its own second factor) ─▶ GET /auth/sso/callback
 *     ─▶ claims ─▶ role from the role claim ─▶ the linked user (made on first sign-in) ─▶ session
 *
 * What the round trip must remember (state, nonce, PKCE verifier) travels in a short-lived cookie
 * sealed with the server's secret key, so no server-side table is needed and any node can finish
 * a sign-in another started. The provider must be https; plain http is accepted only for a
 * loopback issuer (a provider on the same machine), never for a remote one.
 */
import * as oidc from 'openid-client';
import { z } from 'zod';
import type { SsoRoleMap, SsoSettingsView } from '../../shared/api-types.js';
import { usernameSchema } from '../../shared/username.js';
import { HttpError } from '../lib/errors.js';
import type { SecretBox } from '../lib/secret-box.js';
import type { Role } from '../store/users.js';
import { isLoopbackUrl } from './two-factor.js';

/** auth_settings key of the settings. */
export const SSO_SETTINGS_KEY = 'sso';
/** GCM purpose of the sealed client secret (the auth_settings row, server/auth/sealed-columns.ts). */
export const SSO_SECRET_PURPOSE = 'auth-setting';
/** GCM purpose of the round-trip cookie. */
const FLOW_PURPOSE = 'sso-flow';
/** The round-trip cookie. */
export const SSO_FLOW_COOKIE = 'qp_sso_flow';
/** How long a sign-in may take at the provider, ms. */
export const SSO_FLOW_TTL_MS = 10 * 60_000;
/** Where the provider sends people back (register it at the provider). */
export const SSO_CALLBACK_PATH = '/auth/sso/callback';
export const SSO_START_PATH = '/auth/sso/start';
/** Seconds an HTTP request to the provider may take. */
const PROVIDER_TIMEOUT_S = 10;

const roleNameSchema = z.string().trim().min(1).max(200);
const roleListSchema = z.array(roleNameSchema).max(50);

/** PUT /api/auth/sso: the whole settings; clientSecret is write-only (omit it to keep the stored one, null to remove it). */
export const ssoSettingsInputSchema = z
  .object({
    isEnabled: z.boolean(),
    displayName: z.string().trim().min(1).max(60),
    issuer: z
      .url({ protocol: /^https?$/, error: 'must be the provider’s issuer URL, such as https://login.microsoftonline.com/<tenant>/v2.0' })
      .max(500)
      .refine((u) => u.startsWith('https:') || isLoopbackUrl(u), {
        message: 'the identity provider must be reached over https (plain http only for a provider on this machine)',
      }),
    clientId: z.string().trim().min(1).max(300),
    clientSecret: z.string().min(1).max(2000).nullable().optional(),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, 'a scope is one word without spaces or quotes'))
      .max(20)
      .default(['openid', 'profile', 'email']),
    roleClaim: z
      .string()
      .regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/, 'a claim name, or a dotted path such as realm_access.roles')
      .max(200)
      .default('groups'),
    roleMap: z.object({ admin: roleListSchema, technician: roleListSchema, viewer: roleListSchema }).strict(),
    defaultRole: z.enum(['technician', 'viewer']).nullable().default(null),
    usernameClaim: z.enum(['preferred_username', 'email', 'upn', 'sub']).default('preferred_username'),
    passwordSignIn: z.enum(['everyone', 'break-glass']).default('everyone'),
    breakGlassUsernames: z.array(usernameSchema).max(5).default([]),
  })
  .strict();
export type SsoSettingsInput = z.infer<typeof ssoSettingsInputSchema>;

/** The settings as stored (value_json; the secret is beside it, sealed). */
export type SsoSettings = Omit<SsoSettingsInput, 'clientSecret'>;

/** The settings as the API shows them. */
export function ssoSettingsView(
  s: SsoSettings,
  hasClientSecret: boolean,
  redirectUri: string,
  updatedAtMs: number | null,
  updatedBy: string | null,
): SsoSettingsView {
  return { ...s, scopes: withOpenId(s.scopes), hasClientSecret, redirectUri, updatedAtMs, updatedBy };
}

function withOpenId(scopes: readonly string[]): string[] {
  return scopes.includes('openid') ? [...scopes] : ['openid', ...scopes];
}

/** The value at a dotted claim path: `groups`, `realm_access.roles`; undefined when absent. */
export function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let at: unknown = claims;
  for (const part of path.split('.')) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

const RANKED: readonly Role[] = ['admin', 'technician', 'viewer'];

/**
 * The role the claims give: the highest role one of whose names appears in the role claim (a
 * string or an array of strings; names compare exactly), else the default role, else null.
 */
export function roleFromClaims(claims: Record<string, unknown>, roleClaim: string, map: SsoRoleMap, defaultRole: Role | null): Role | null {
  const raw = claimAt(claims, roleClaim);
  const have = new Set((Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string'));
  for (const role of RANKED) if (map[role].some((name) => have.has(name))) return role;
  return defaultRole;
}

/** What the callback learned about the person. */
export interface SsoIdentity {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
}

interface FlowState {
  state: string;
  nonce: string;
  verifier: string;
  /** The settings' issuer and client when the flow started: a change in between ends the flow. */
  issuer: string;
  clientId: string;
  expiresAtMs: number;
}

/** The provider side: metadata (cached per issuer and client), the authorization URL and the callback. */
export function createSsoClient(deps: { secrets: SecretBox; now: () => number }) {
  let cached: { key: string; config: Promise<oidc.Configuration> } | undefined;

  function configFor(s: SsoSettings, clientSecret: string | null): Promise<oidc.Configuration> {
    const key = JSON.stringify([s.issuer, s.clientId, clientSecret]);
    if (cached?.key !== key) {
      const isHttp = s.issuer.startsWith('http:');
      const config = oidc
        .discovery(new URL(s.issuer), s.clientId, undefined, clientSecret === null ? oidc.None() : oidc.ClientSecretPost(clientSecret), {
          timeout: PROVIDER_TIMEOUT_S,
          // Plain http only for a loopback issuer (the settings schema refuses any other).
          execute: isHttp && isLoopbackUrl(s.issuer) ? [oidc.allowInsecureRequests] : [],
        })
        .catch((err: unknown) => {
          cached = undefined;
          throw new HttpError(502, 'SSO_PROVIDER_UNREACHABLE', `cannot read the identity provider's metadata from ${s.issuer}: ${describe(err)}`);
        });
      cached = { key, config };
    }
    return cached.config;
  }

  return {
    /** The provider's authorization URL and the sealed round-trip cookie value. */
    async start(s: SsoSettings, clientSecret: string | null, redirectUri: string): Promise<{ url: string; cookie: string }> {
      const config = await configFor(s, clientSecret);
      const flow: FlowState = {
        state: oidc.randomState(),
        nonce: oidc.randomNonce(),
        verifier: oidc.randomPKCECodeVerifier(),
        issuer: s.issuer,
        clientId: s.clientId,
        expiresAtMs: deps.now() + SSO_FLOW_TTL_MS,
      };
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: withOpenId(s.scopes).join(' '),
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
        code_challenge_method: 'S256',
        state: flow.state,
        nonce: flow.nonce,
      });
      return { url: url.href, cookie: deps.secrets.encryptSecret(JSON.stringify(flow), FLOW_PURPOSE) };
    },

    /**
     * Finishes a sign-in: checks the round trip (400 SSO_FLOW_INVALID), the provider's error
     * answer (401 SSO_DENIED), and exchanges the code (401 SSO_TOKEN_INVALID).
     */
    async finish(s: SsoSettings, clientSecret: string | null, callbackUrl: URL, flowCookie: string | undefined): Promise<SsoIdentity> {
      const flow = openFlow(flowCookie);
      if (!flow || flow.expiresAtMs <= deps.now())
        throw new HttpError(400, 'SSO_FLOW_INVALID', 'this sign-in expired or was started in another browser; start again');
      if (flow.issuer !== s.issuer || flow.clientId !== s.clientId)
        throw new HttpError(400, 'SSO_FLOW_INVALID', 'the single sign-on settings changed during this sign-in; start again');
      const providerError = callbackUrl.searchParams.get('error');
      if (providerError) {
        const why = callbackUrl.searchParams.get('error_description');
        throw new HttpError(401, 'SSO_DENIED', `the identity provider refused the sign-in: ${providerError}${why ? ` (${why.slice(0, 200)})` : ''}`);
      }
      const config = await configFor(s, clientSecret);
      let tokens;
      try {
        tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        });
      } catch (err) {
        throw new HttpError(401, 'SSO_TOKEN_INVALID', `the identity provider's answer did not check out: ${describe(err)}`);
      }
      const idClaims = tokens.claims();
      if (!idClaims) throw new HttpError(401, 'SSO_TOKEN_INVALID', 'the identity provider sent no ID token');
      let claims: Record<string, unknown> = { ...idClaims };
      if (config.serverMetadata().userinfo_endpoint) {
        try {
          const info = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
          // The ID token's claims win where both have one (they are signed).
          claims = { ...info, ...idClaims };
        } catch (err) {
          throw new HttpError(502, 'SSO_PROVIDER_UNREACHABLE', `cannot read the user's claims from the identity provider: ${describe(err)}`);
        }
      }
      return { issuer: config.serverMetadata().issuer, subject: idClaims.sub, claims };
    },
  };

  function openFlow(cookie: string | undefined): FlowState | undefined {
    if (!cookie) return undefined;
    try {
      const v = JSON.parse(deps.secrets.decryptSecret(cookie, FLOW_PURPOSE)) as FlowState;
      return typeof v.state === 'string' && typeof v.nonce === 'string' && typeof v.verifier === 'string' ? v : undefined;
    } catch {
      return undefined;
    }
  }
}
export type SsoClient = ReturnType<typeof createSsoClient>;

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`.slice(0, 300);
  }
  return String(err).slice(0, 300);
}
