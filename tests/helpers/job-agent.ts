/**
 * For the maintenance tests: a real agent that runs jobs (its journal in `dir`), a browser page
 * signed in as an ApiClient, and two-factor login set up for the signed-in user (running a task
 * needs it).
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAgent, type Agent } from '../../agent/index.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';
import { generate } from 'otplib';
import { expect } from 'vitest';
import type { ApiClient } from './test-server.js';

/** Starts a real agent for an enrolled device: no collectors, quick reconnects, its own state dir. */
export async function startJobAgent(serverUrl: string, dev: { deviceId: string; deviceToken: string }, dir: string): Promise<Agent> {
  const agent = createAgent({
    config: {
      serverUrl,
      deviceId: dev.deviceId,
      deviceToken: dev.deviceToken,
      intervalMs: 60_000,
      stateDir: path.join(dir, 'agent'),
      tasksFile: path.join(dir, 'tasks.json'),
    },
    logger: createTestLogger().logger,
    collectors: [],
    connection: { backoff: { baseMs: 20, capMs: 200 } },
    flushTimeoutMs: 100,
  });
  await agent.start();
  return agent;
}

/** A new page in a new context carrying `api`'s session cookie, at `url`. */
export async function signedInPage(browser: Browser, api: ApiClient, baseUrl: string, hash: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  const [name, value] = api.cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url: baseUrl }]);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/${hash}`);
  return page;
}

/**
 * Sets up two-factor login for `api`'s user with the code of `atMs` (the server's clock) and
 * returns the secret. That time step's code is then used: the next request needs a later one.
 */
export async function enrolSecondFactor(api: ApiClient, atMs: number = Date.now()): Promise<string> {
  const secret = (await api.post('/api/me/two-factor/start')).json.secret as string;
  const confirmed = await api.post('/api/me/two-factor/confirm', { code: await generate({ secret, epoch: Math.floor(atMs / 1000) }) });
  expect(confirmed.status, confirmed.text).toBe(200);
  return secret;
}
