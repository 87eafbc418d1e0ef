/** The two-factor part of the API client (docs/API.md, "Two-factor login"). */
import type { LoginChallenge, SessionUser, TwoFactorEnrolment, TwoFactorStatus } from '../../../shared/api-types.js';
import type { RequestFn } from './api-request.js';

/** A second factor: a code from the authenticator app, or a recovery code. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** Two-factor endpoints. */
export interface TwoFactorApi {
  /** The second login step; 401 with the server's code when the factor is wrong. */
  loginSecondFactor(challenge: string, factor: SecondFactor): Promise<SessionUser & { recoveryCodesLeft?: number }>;
  getTwoFactor(): Promise<TwoFactorStatus>;
  startTwoFactor(): Promise<TwoFactorEnrolment>;
  /** Confirms the enrolment with a code; the answer's recovery codes are shown only now. */
  confirmTwoFactor(code: string): Promise<{ recoveryCodes: string[] }>;
  newRecoveryCodes(code: string): Promise<{ recoveryCodes: string[] }>;
  disableTwoFactor(code: string): Promise<void>;
}

/** True when a login answer asks for the second factor. */
export function isLoginChallenge(answer: SessionUser | LoginChallenge): answer is LoginChallenge {
  return (answer as LoginChallenge).secondFactorRequired === true;
}

/** The two-factor endpoints over `request`. */
export function createTwoFactorApi(request: RequestFn): TwoFactorApi {
  const call = async <T>(method: Parameters<RequestFn>[0], path: string, body?: unknown, isLogin = false) =>
    (await request<T>(method, path, body, { isLogin })).body;
  return {
    loginSecondFactor: (challenge, factor) => call('POST', '/api/login/second-factor', { challenge, ...factor }, true),
    getTwoFactor: () => call('GET', '/api/me/two-factor'),
    startTwoFactor: () => call('POST', '/api/me/two-factor/start', {}),
    confirmTwoFactor: (code) => call('POST', '/api/me/two-factor/confirm', { code }),
    newRecoveryCodes: (code) => call('POST', '/api/me/two-factor/recovery-codes', { code }),
    disableTwoFactor: (code) => call('POST', '/api/me/two-factor/disable', { code }),
  };
}
