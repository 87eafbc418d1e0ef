/**
 * Two-factor login in a real browser (Debian chromium): an admin whose role requires it is sent to
 * the set-up page after the password and sees nothing else; scans (reads) the key, confirms with a
 * code, saves the recovery codes; then signs in with a code, and with a recovery code. The server's
 * clock is driven by hand so each sign-in uses a fresh 30 s step; codes come from otplib as an
 * authenticator app computes them.
 */
import { generate } from 'otplib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../helpers/receivers.js';
import { ADMIN_PASSWORD, ApiClient, startTestServer, type TestServer } from '../helpers/test-server.js';
import { hasBrowser, launchBrowser, watchPage } from './browser.js';

describe.runIf(hasBrowser())('two-factor login in a real browser', () => {
  let t: TestServer;
  let browser: Browser;
  const clock = manualClock(Date.now());
  const codeNow = (secret: string) => generate({ secret, epoch: Math.floor(clock.now() / 1000) });

  beforeAll(async () => {
    t = await startTestServer({ clock });
    const api = new ApiClient(t.url);
    await api.login();
    expect((await api.put('/api/auth/two-factor-policy', { requiredRoles: ['admin'] })).status).toBe(200);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function password(page: Page) {
    await page.goto(t.url);
    await page.fill('[data-testid=login-username]', 'admin');
    await page.fill('[data-testid=login-password]', ADMIN_PASSWORD);
    await page.click('[data-testid=login-submit]');
  }

  async function logout(page: Page) {
    await page.evaluate(() => fetch('/api/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
  }

  it('enrols after the password, then signs in with a code and with a recovery code', async () => {
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    await password(page);
    // Enrolment is the only thing on offer.
    await page.waitForSelector('[data-testid=two-factor-required]');
    expect(await page.locator('nav.side-nav, [data-testid=side-nav]').count()).toBe(0);
    await page.click('[data-testid=two-factor-start]');
    await page.waitForSelector('[data-testid=two-factor-qr] svg');
    await page.click('[data-testid=two-factor-show-secret]');
    const secret = (await page.textContent('[data-testid=two-factor-secret]'))!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.fill('[data-testid=two-factor-code]', '000000' === (await codeNow(secret)) ? '111111' : '000000');
    await page.click('[data-testid=two-factor-confirm]');
    await expect
      .poll(() => page.textContent('[data-testid=two-factor-panel] [role=alert]'))
      .toContain('that code is not right; type the 6 digits your authenticator app shows now');
    await page.fill('[data-testid=two-factor-code]', await codeNow(secret));
    await page.click('[data-testid=two-factor-confirm]');
    await page.waitForSelector('[data-testid=recovery-codes]');
    const codes = await page.locator('[data-testid=recovery-codes] code').allTextContents();
    expect(codes).toHaveLength(10);
    await page.click('[data-testid=recovery-codes-saved]');
    await watchPage(page).waitFor('[data-testid=side-nav]');
    expect(await page.locator('[data-testid=two-factor-required]').count()).toBe(0);

    // Sign in again: password, then the code of the next step.
    await logout(page);
    clock.advance(30_000);
    await password(page);
    await page.waitForSelector('[data-testid=second-factor-form]');
    expect(await page.context().cookies()).toEqual([]);
    await page.fill('[data-testid=totp-code]', await codeNow(secret));
    await page.click('[data-testid=second-factor-submit]');
    await page.waitForSelector('[data-testid=second-factor-form]', { state: 'detached' });
    expect((await page.context().cookies()).map((c) => c.name)).toEqual(['qp_session']);

    // …and with a recovery code (typed in capitals with spaces: still accepted), once.
    await logout(page);
    await password(page);
    await page.waitForSelector('[data-testid=second-factor-form]');
    await page.click('[data-testid=toggle-recovery]');
    await page.fill('[data-testid=recovery-code]', codes[0]!.toUpperCase().replace(/-/g, ' '));
    await page.click('[data-testid=second-factor-submit]');
    await page.waitForSelector('[data-testid=second-factor-form]', { state: 'detached' });
    // Signed in (the menu is there), then a fresh load of the account page.
    const watched = watchPage(page);
    await watched.waitFor('[data-testid=side-nav]');
    await page.goto(`${t.url}/#/account`);
    await page.reload();
    await watched.waitFor('[data-testid=two-factor-on]');
    await expect.poll(() => page.textContent('[data-testid=two-factor-on]')).toContain('9 of 10 recovery codes left');

    await logout(page);
    await password(page);
    await page.click('[data-testid=toggle-recovery]');
    await page.fill('[data-testid=recovery-code]', codes[0]!);
    await page.click('[data-testid=second-factor-submit]');
    await expect.poll(() => page.getAttribute('[data-testid=login-error]', 'data-code')).toBe('RECOVERY_CODE_INVALID');
    expect(await page.textContent('[data-testid=login-error]')).toBe('that recovery code is unknown or was used already');
    await page.close();
  }, 120_000);
});
