/**
 * A real OpenID provider on loopback for single sign-on tests: npm `oidc-provider` (the
 * certified Node implementation) with its development sign-in pages, which accept any password
 * and take the typed login as the account id. Accounts and their claims (groups, e-mail) are
 * the test's and may change between sign-ins, as they would at a real provider.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** An account's claims at the provider (`sub` is the login name). */
export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  name?: string;
  groups?: string[];
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, TestAccount>;
  close(): Promise<void>;
}

/** Starts the provider on 127.0.0.1:0 with one confidential client allowed to return to `redirectUri`. */
export async function startOidcProvider(redirectUri: string, accounts: Record<string, TestAccount> = {}): Promise<TestOidcProvider> {
  const http: Server = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const clientId = 'quarkpulse';
  const clientSecret = 'oidc-test-client-secret-4f1c9a7e2b';
  const table = new Map(Object.entries(accounts));
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    scopes: ['openid', 'profile', 'email', 'groups'],
    pkce: { required: () => true },
    cookies: { keys: ['oidc-test-cookie-key-0b6f3e'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const claims = table.get(id);
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...table.get(id) }) };
    },
  });
  http.on('request', provider.callback());
  return {
    issuer,
    clientId,
    clientSecret,
    accounts: table,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

/** A cookie jar per origin, enough for the sign-in's redirects. */
class Jar {
  private readonly byOrigin = new Map<string, Map<string, string>>();
  store(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const isGone = value === '' || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (isGone) jar.delete(name);
      else jar.set(name, value);
    }
    this.byOrigin.set(origin, jar);
  }
  header(url: string): string {
    const jar = this.byOrigin.get(new URL(url).origin);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  get(url: string, name: string): string | undefined {
    return this.byOrigin.get(new URL(url).origin)?.get(name);
  }
  set(url: string, name: string, value: string | undefined): void {
    const origin = new URL(url).origin;
    const jar = this.byOrigin.get(origin) ?? new Map<string, string>();
    if (value === undefined) jar.delete(name);
    else jar.set(name, value);
    this.byOrigin.set(origin, jar);
  }
}

/** Where a sign-in ended: the server's last redirect and the cookies it set. */
export interface SsoOutcome {
  /** The Location the server's callback answered with. */
  location: string;
  /** The server's session cookie, if a session started. */
  sessionCookie: string | undefined;
  /** The callback URL the provider sent the browser to (for replay tests). */
  callbackUrl: string;
  jar: Jar;
}

/**
 * Walks a browser's way through a sign-in without a browser: /auth/sso/start on the server, the
 * provider's login form (as `login`) and consent form, back to the server's callback.
 * `beforeCallback` may change the request (drop the round-trip cookie, swap the state).
 */
export async function signInWithSso(
  serverUrl: string,
  login: string,
  opts: { jar?: Jar; beforeCallback?: (url: string, jar: Jar) => string } = {},
): Promise<SsoOutcome> {
  const jar = opts.jar ?? new Jar();
  let url = `${serverUrl}/auth/sso/start`;
  let method = 'GET';
  let body: string | undefined;
  let callbackUrl = '';
  for (let hop = 0; hop < 20; hop++) {
    const isCallback = url.startsWith(`${serverUrl}/auth/sso/callback`);
    if (isCallback) {
      callbackUrl = url;
      if (opts.beforeCallback) url = opts.beforeCallback(url, jar);
    }
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    jar.store(url, res);
    method = 'GET';
    body = undefined;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url).href;
      if (isCallback || (url.startsWith(serverUrl) && next.startsWith(serverUrl) && !next.includes('/auth/sso/'))) {
        await res.arrayBuffer();
        return { location: next, sessionCookie: jar.get(serverUrl, 'qp_session'), callbackUrl, jar };
      }
      await res.arrayBuffer();
      url = next;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`provider answered ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no sign-in form at ${url}: ${html.slice(0, 300)}`);
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    method = 'POST';
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'any' } : { prompt }).toString();
  }
  throw new Error('the sign-in did not end within 20 redirects');
}
