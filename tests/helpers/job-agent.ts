/** A real agent that runs maintenance jobs (its journal in `dir`), and a browser page signed in as an ApiClient. */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createAgent, type Agent } from '../../agent/index.js';
import { createTestLogger } from '../agent/helpers/test-logger.js';
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
