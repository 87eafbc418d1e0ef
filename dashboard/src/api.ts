/**
 * The dashboard's only door to the REST API. Every call sends and expects JSON with the session
 * cookie; writes always carry `content-type: application/json`, which the server (together with
 * Origin) uses as its CSRF check. Failures become one typed ApiError parsed from the server's
 * `{ error: { code, message } }`; a 401 also tells the app to show the login screen.
 */
import type {
  ApiErrorBody,
  DeviceDetail,
  DeviceSummary,
  MetricSeriesResponse,
  SessionUser,
} from '../../shared/api-types.js';
import type { Delivery, DeliveryStatus } from '../../shared/notify-types.js';

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
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Query for one metric's downsampled series. */
export interface MetricQuery {
  deviceId: string;
  name: string;
  fromMs: number;
  toMs: number;
  points: number;
}

/** The typed endpoints the dashboard uses. */
export interface Api {
  getMe(): Promise<SessionUser>;
  login(username: string, password: string): Promise<SessionUser>;
  logout(): Promise<void>;
  listDevices(): Promise<DeviceSummary[]>;
  getDevice(id: string): Promise<DeviceDetail>;
  getMetrics(query: MetricQuery, signal?: AbortSignal): Promise<MetricSeriesResponse>;
  /** Deliveries (newest first), optionally of one status; `dead` = dead letters. */
  listNotifications(status?: DeliveryStatus): Promise<Delivery[]>;
  /** Queues a dead delivery again. */
  retryNotification(id: number): Promise<Delivery>;
  /** Listens for 401s (except from login itself, whose 401 means a wrong password). */
  onUnauthorized(listener: () => void): () => void;
}

export interface ApiOptions {
  fetch?: typeof fetch;
}

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

/** Builds the API client. */
export function createApi(options: ApiOptions = {}): Api {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const unauthorizedListeners = new Set<() => void>();

  async function request<T>(method: Method, path: string, body?: unknown, init?: { signal?: AbortSignal; isLogin?: boolean }): Promise<T> {
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
      throw new ApiError(0, 'NETWORK_ERROR', 'Cannot reach the Quarkpulse server. Check your connection.');
    }
    if (!res.ok) {
      const error = await readError(res);
      if (error.isUnauthorized && !init?.isLogin) unauthorizedListeners.forEach((l) => l());
      throw error;
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  return {
    getMe: () => request<SessionUser>('GET', '/api/me'),
    login: (username, password) => request<SessionUser>('POST', '/api/login', { username, password }, { isLogin: true }),
    logout: () => request<void>('POST', '/api/logout', {}),
    listDevices: () => request<DeviceSummary[]>('GET', '/api/devices'),
    getDevice: (id) => request<DeviceDetail>('GET', `/api/devices/${encodeURIComponent(id)}`),
    getMetrics: (q, signal) => {
      const params = new URLSearchParams({
        name: q.name,
        from: String(Math.round(q.fromMs)),
        to: String(Math.round(q.toMs)),
        points: String(Math.max(10, Math.round(q.points))),
      });
      return request<MetricSeriesResponse>('GET', `/api/devices/${encodeURIComponent(q.deviceId)}/metrics?${params}`, undefined, { signal });
    },
    listNotifications: (status) => request<Delivery[]>('GET', `/api/notifications?limit=200${status ? `&status=${status}` : ''}`),
    retryNotification: (id) => request<Delivery>('POST', `/api/notifications/${id}/retry`, {}),
    onUnauthorized: (listener) => {
      unauthorizedListeners.add(listener);
      return () => unauthorizedListeners.delete(listener);
    },
  };
}

/** Message for any thrown value, for showing in the UI. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
