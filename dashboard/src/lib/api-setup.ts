/** First-start setup and the public URL (docs/API.md, "First start"). */
import type { PublicUrlCheck, PublicUrlInfo, SetupBody, SetupStatus } from '../../../shared/setup-types.js';
import type { RequestFn } from './api-request.js';

export interface SetupApi {
  /** Public: whether the server waits for its setup. */
  getSetup(): Promise<SetupStatus>;
  /** Checks the setup code, and a public URL when given. */
  checkSetup(code: string, publicUrl?: string): Promise<{ ok: true; publicUrl: PublicUrlCheck | null }>;
  /** A test message through the e-mail server being set up (nothing saved). */
  testSetupEmail(code: string, email: Record<string, unknown>, to: string): Promise<{ ok: true; detail: string | null }>;
  /** Does the setup; the answer's cookie signs the new admin in. */
  completeSetup(body: SetupBody): Promise<{ username: string; warnings: string[] }>;
  getPublicUrl(): Promise<PublicUrlInfo>;
  checkPublicUrl(publicUrl: string): Promise<PublicUrlCheck>;
  setPublicUrl(publicUrl: string): Promise<PublicUrlInfo>;
}

export function createSetupApi(request: RequestFn): SetupApi {
  const call = async <T>(method: Parameters<RequestFn>[0], path: string, body?: unknown, isLogin = false) =>
    (await request<T>(method, path, body, { isLogin })).body;
  return {
    getSetup: () => call('GET', '/api/setup', undefined, true),
    checkSetup: (code, publicUrl) => call('POST', '/api/setup/check', publicUrl === undefined ? { code } : { code, publicUrl }, true),
    testSetupEmail: (code, email, to) => call('POST', '/api/setup/test-email', { code, email, to }, true),
    completeSetup: (body) => call('POST', '/api/setup', body, true),
    getPublicUrl: () => call('GET', '/api/settings/public-url'),
    checkPublicUrl: (publicUrl) => call('POST', '/api/settings/public-url/check', { publicUrl }),
    setPublicUrl: (publicUrl) => call('PUT', '/api/settings/public-url', { publicUrl }),
  };
}
