/**
 * The transport under the typed API client: one `request` that sends and expects JSON with the
 * session cookie, and turns every failure into one ApiError parsed from the server's
 * `{ error: { code, message } }`. Writes always carry `content-type: application/json`, which
 * the server (together with Origin) uses as its CSRF check.
 */
import type { ApiErrorBody } from '../../../shared/api-types.js';
import { activeT, type DashKey } from './i18n/index.js';

/** A failed API call: HTTP status plus the server's error code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** True when the session is missing or expired. */
  get isUnauthorized(): boolean {
    return this.status === 401;
  }

  /** True when the server has no such route or record (an optional module not installed). */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A successful answer with its status, for endpoints whose status carries meaning (200 vs 202). */
export interface Answer<T> {
  status: number;
  body: T;
}

/** Sends one request; resolves with the answer's status and parsed body, throws ApiError otherwise. */
export type RequestFn = <T>(method: Method, path: string, body?: unknown, init?: { signal?: AbortSignal; isLogin?: boolean }) => Promise<Answer<T>>;

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const err = (value as { error?: unknown }).error;
  return typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string';
}

/** Turns a failed response into an ApiError, keeping the server's exact code and message. */
async function readError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (isErrorBody(body)) return new ApiError(res.status, String(body.error.code), body.error.message);
  } catch {
    // not JSON: fall through to a generic message
  }
  const reason = res.statusText || 'request failed';
  return new ApiError(res.status, `HTTP_${res.status}`, `The server answered ${res.status} ${reason}.`);
}

/** `?a=1&b=2` of the defined values, or '' when there are none. */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const enc = encodeURIComponent;

/** Builds `request` over `doFetch`; a 401 (except from login) is reported to `onUnauthorized`. */
export function createRequest(doFetch: typeof fetch, onUnauthorized: () => void): RequestFn {
  return async <T>(method: Method, path: string, body?: unknown, init?: { signal?: AbortSignal; isLogin?: boolean }): Promise<Answer<T>> => {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method !== 'GET') headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(path, {
        method,
        headers,
        credentials: 'same-origin',
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
        signal: init?.signal,
      });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK_ERROR', activeT()('net.unreachable'));
    }
    if (!res.ok) {
      const error = await readError(res);
      if (error.isUnauthorized && !init?.isLogin) onUnauthorized();
      throw error;
    }
    if (res.status === 204) return { status: 204, body: undefined as T };
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
}

/**
 * The server's error codes with a text in the dashboard's catalogue. The server's own message is
 * English and may name ids and fields; in Dutch the code's text is shown instead. Codes not listed
 * here keep the server's words (a validation failure names the field, in English).
 */
export const ERROR_TEXTS: Readonly<Record<string, DashKey>> = {
  INVALID_CREDENTIALS: 'apiError.invalidCredentials',
  UNAUTHENTICATED: 'apiError.unauthenticated',
  LOGIN_CHALLENGE_INVALID: 'apiError.loginChallenge',
  TOTP_CODE_INVALID: 'apiError.totpInvalid',
  TOTP_CODE_REUSED: 'apiError.totpReused',
  SECOND_FACTOR_WRONG: 'apiError.totpInvalid',
  SECOND_FACTOR_REUSED: 'apiError.totpReused',
  RECOVERY_CODE_INVALID: 'apiError.recoveryInvalid',
  CURRENT_PASSWORD_WRONG: 'apiError.currentPasswordWrong',
  FORBIDDEN: 'apiError.forbidden',
  CSRF_REJECTED: 'apiError.csrf',
  ALERT_NOT_FOUND: 'apiError.alertNotFound',
  INCIDENT_NOT_FOUND: 'apiError.incidentNotFound',
  CLIENT_NOT_FOUND: 'apiError.clientNotFound',
  DEVICE_NOT_FOUND: 'apiError.deviceNotFound',
  RULE_NOT_FOUND: 'apiError.ruleNotFound',
  USER_NOT_FOUND: 'apiError.userNotFound',
  TIME_ENTRY_NOT_FOUND: 'apiError.timeEntryNotFound',
  REPORT_NOT_FOUND: 'apiError.reportNotFound',
  STATUS_LINK_NOT_FOUND: 'apiError.statusLinkNotFound',
  STATUS_LINK_LIMIT: 'apiError.statusLinkLimit',
  INCIDENT_BILLED: 'apiError.incidentBilled',
  ALERT_ALREADY_RESOLVED: 'apiError.alertResolved',
  ALERT_NOT_FIRING: 'apiError.alertNotFiring',
  CANNOT_DELETE_SELF: 'apiError.deleteSelf',
  RULE_DEFAULT_SCOPE: 'apiError.ruleDefaultScope',
  MAINTENANCE_TOO_LONG: 'apiError.maintenanceTooLong',
  OVERRIDE_TOO_LONG: 'apiError.overrideTooLong',
  OVERRIDE_IN_PAST: 'apiError.overrideInPast',
  PAYLOAD_TOO_LARGE: 'apiError.tooLarge',
  STORAGE_UNAVAILABLE: 'apiError.storage',
  INTERNAL: 'apiError.internal',
  TOO_MANY_ATTEMPTS: 'apiError.rateLimited',
};

/** Message for any thrown value, for showing in the UI (in the dashboard's language where the code is known). */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    const t = activeT();
    if (t.locale === 'en') return err.message;
    const key = ERROR_TEXTS[err.code];
    if (key) return t(key);
    if (err.code === 'VALIDATION_FAILED' || err.code === 'INVALID_JSON' || err.code === 'BAD_REQUEST')
      return t('apiError.invalidInput', { detail: err.message });
    return err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
