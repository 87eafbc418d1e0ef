/**
 * Single sign-on in a real browser (Debian chromium) against a real OpenID provider on loopback
 * (npm `oidc-provider`): an admin sets it up on the Users page, then a person clicks "Sign in
 * with Authentik" on the login page, signs in at the provider, consents, and lands in the
 * dashboard signed in with the role the provider's groups give; a person in no mapped group
 * comes back to the login page with the reason.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startOidcProvider, type TestOidcProvider } from '../helpers/oidc-provider.js';
import { hasBrowser, launchBrowser } from './browser.js';

describe.runIf(hasBrowser())('single sign-on in a real browser', () => {
  let t: TestServer;
  let idp: TestOidcProvider;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestServer();
    idp = await startOidcProvider(`${t.url}/auth/sso/callback`, {
      alice: { preferred_username: 'alice', email: 'alice@msp.example', email_verified: true, groups: ['qp-techs'] },
      bob: { preferred_username: 'bob', groups: ['staff'] },
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
  });

  const me = (page: Page) => page.evaluate(() => fetch('/api/me').then((r) => r.json() as Promise<{ username: string; role: string; signInMethod: string }>));

  /** At the provider's development pages: type the login (any password), then consent. */
  async function atProvider(page: Page, login: string) {
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'anything');
    await page.click('button[type=submit]');
    await page.waitForSelector('input[name=prompt][value=consent]', { state: 'attached' });
    await page.click('button[type=submit]');
  }

  it('is set up on the Users page, then signs a person in through the provider', async () => {
    const admin = await browser.newContext();
    const page = await admin.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(t.url);
    // Off: the login page has no single sign-on button.
    await page.waitForSelector('[data-testid=login-form]');
    await page.waitForTimeout(300);
    expect(await page.locator('[data-testid=login-sso]').count()).toBe(0);
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
    await page.click('[data-testid=login-submit]');
    await page.waitForSelector('[data-testid=side-nav]', { state: 'attached' });

    await page.goto(`${t.url}/#/users`);
    await page.click('[data-testid=sso-panel] > summary');
    expect(await page.textContent('[data-testid=sso-redirect-uri]')).toBe(`${t.url}/auth/sso/callback`);
    await page.check('[data-testid=sso-enabled]');
    await page.fill('[data-testid=sso-name]', 'Authentik');
    await page.fill('[data-testid=sso-issuer]', idp.issuer);
    await page.fill('[data-testid=sso-client-id]', idp.clientId);
    await page.fill('[data-testid=sso-client-secret]', idp.clientSecret);
    // The test provider (like Authentik and Keycloak) sends groups only when that scope is asked.
    await page.fill('[data-testid=sso-scopes]', 'openid profile email groups');
    await page.fill('[data-testid=sso-admin-groups]', 'qp-admins');
    await page.fill('[data-testid=sso-technician-groups]', 'qp-techs');
    await page.click('[data-testid=sso-save]');
    await page.waitForSelector('[data-testid=sso-saved]');
    expect(await page.textContent('[data-testid=sso-saved]')).toContain('Sign in with Authentik');
    // The secret is not sent back into the form.
    expect(await page.inputValue('[data-testid=sso-client-secret]')).toBe('');
    await admin.close();

    const person = await browser.newContext();
    const p = await person.newPage();
    p.setDefaultTimeout(15_000);
    await p.goto(t.url);
    await p.waitForSelector('[data-testid=login-sso]');
    expect(await p.textContent('[data-testid=login-sso]')).toBe('Sign in with Authentik');
    await p.click('[data-testid=login-sso]');
    await atProvider(p, 'alice');
    await p.waitForURL((u) => u.href.startsWith(t.url));
    await p.waitForSelector('[data-testid=side-nav]', { state: 'attached' });
    expect(await me(p)).toMatchObject({ username: 'alice', role: 'technician', signInMethod: 'sso' });
    await person.close();
  });

  it('brings a person in no mapped group back to the login page with the reason', async () => {
    const person = await browser.newContext();
    const p = await person.newPage();
    p.setDefaultTimeout(15_000);
    await p.goto(t.url);
    await p.click('[data-testid=login-sso]');
    await atProvider(p, 'bob');
    await p.waitForSelector('[data-testid=login-error]');
    expect(await p.getAttribute('[data-testid=login-error]', 'data-code')).toBe('SSO_NO_ROLE');
    expect(await p.textContent('[data-testid=login-error]')).toContain('none of the groups that give a Quarkpulse role');
    // The reason is shown once: it is gone from the address bar.
    expect(new URL(p.url()).search).toBe('');
    expect(await p.evaluate(() => fetch('/api/me').then((r) => r.status))).toBe(401);
    await person.close();
  });
});
