/**
 * Session authentication for the REST API and the dashboard socket: an opaque random token in an
 * HttpOnly, SameSite=Strict cookie; only its hash is stored. A session ends 12 h after login or
 * after 2 h without a request, whichever comes first (an open live socket counts as activity).
 * State-changing requests must be JSON and, when the browser sends an Origin, come from this
 * server's own origin (CSRF).
 *
 * Scripts use API tokens instead: `Authorization: Bearer qpt_…`. A request that carries an
 * Authorization header is authenticated by that header alone (a cookie next to it is ignored), so
 * it skips the Origin check: a browser never attaches such a header to a cross-site request.
 */
import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import type { SessionMethod, SessionPolicy, SessionUserRecord, User, UserStore, Role } from '../store/users.js';
import type { ApiTokenInfo } from '../../shared/api-types.js';
import type { ApiTokenStore } from '../store/api-tokens.js';
import { HttpError } from '../lib/errors.js';
import { generateToken } from '../lib/secrets.js';

export const SESSION_COOKIE = 'qp_session';
/** Sessions last at most 12 hours: one long shift. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** …and end after 2 hours without a request: a long lunch, not a night. */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** The session lifetimes the server uses. */
export const SESSION_POLICY: SessionPolicy = { maxAgeMs: SESSION_TTL_MS, idleMs: SESSION_IDLE_MS };

declare module 'express-serve-static-core' {
  interface Request {
    /** The authenticated user, set by requireSession (for an API token: a stand-in named after it). */
    user?: User;
    /** How the request's session signed in (unset for an API token). */
    sessionMethod?: SessionMethod;
    /** The API token the request was authenticated with, if it was not a session. */
    apiToken?: ApiTokenInfo;
  }
}

/** The session token in a request's cookie header, if any. */
export function sessionTokenFromRequest(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  return header ? parseCookie(header)[SESSION_COOKIE] : undefined;
}

/** Reads the session user from a request's cookie header, if the session is valid (and keeps it alive). */
export function sessionUserFromRequest(req: IncomingMessage, users: UserStore, nowMs: number): SessionUserRecord | undefined {
  const token = sessionTokenFromRequest(req);
  return token ? users.findSessionUser(token, nowMs, SESSION_POLICY) : undefined;
}

/** Starts a session for `user` and sets its cookie. */
export function startSession(res: Response, users: UserStore, user: User, nowMs: number, isSecure: boolean, method: SessionMethod = 'password'): void {
  const token = generateToken('qps');
  users.createSession(token, user.id, nowMs, SESSION_POLICY, method);
  res.append(
    'Set-Cookie',
    serializeCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: isSecure, path: '/', maxAge: SESSION_TTL_MS / 1000 }),
  );
}

/** Ends the request's session and clears its cookie. */
export function endSession(req: Request, res: Response, users: UserStore, isSecure: boolean): void {
  const token = sessionTokenFromRequest(req);
  if (token) users.deleteSession(token);
  res.setHeader('Set-Cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: isSecure, path: '/', maxAge: 0 }));
}

/** Prefix of API tokens. */
export const API_TOKEN_PREFIX = 'qpt';

/** The bearer value of a request's Authorization header; '' when the header is there but not a bearer. */
export function bearerFromRequest(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(h)?.[1] ?? '';
}

/** The stand-in user an API token acts as: its own id space and name, the token's role. */
export function tokenUser(t: ApiTokenInfo): User {
  return { id: `token:${t.id}`, username: `api-token:${t.name}`, role: t.role, email: null, createdAtMs: t.createdAtMs };
}

/**
 * Rejects requests without a valid session or API token (401) and sets req.user (and
 * req.apiToken). An Authorization header decides alone: a bad token is refused even when a valid
 * session cookie comes with it.
 */
export function requireSession(users: UserStore, now: () => number, apiTokens?: ApiTokenStore): RequestHandler {
  return (req, _res, next) => {
    const bearer = bearerFromRequest(req);
    if (bearer !== undefined) {
      const token = bearer && apiTokens ? apiTokens.authenticate(bearer, now()) : undefined;
      if (!token) throw new HttpError(401, 'TOKEN_INVALID', 'the API token is unknown, expired or revoked (send Authorization: Bearer qpt_…)');
      req.user = tokenUser(token);
      req.apiToken = token;
      return next();
    }
    const user = sessionUserFromRequest(req, users, now());
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'log in first: POST /api/login');
    const { sessionMethod, ...plain } = user;
    req.user = plain;
    req.sessionMethod = sessionMethod;
    next();
  };
}

/**
 * Refuses requests authenticated by an API token (403 SESSION_REQUIRED): for what only a person
 * at the dashboard may do — everything that changes credentials, users' roles or tokens, so a
 * leaked token can neither take over an account nor make itself permanent. Put it before the
 * role check, so any token gets the same answer.
 */
export const requireInteractiveSession: RequestHandler = (req, _res, next) => {
  if (req.apiToken) throw new HttpError(403, 'SESSION_REQUIRED', 'API tokens cannot change users, passwords, roles or tokens; log in as a person');
  next();
};

/** Rejects users whose role is not in `roles` (403). */
export function requireRole(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.user || !roles.includes(req.user.role)) {
      throw new HttpError(403, 'FORBIDDEN', `this action needs role ${roles.join(' or ')}`);
    }
    next();
  };
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Why a cookie-authenticated request's Origin is refused, or undefined when it may pass: the
 * Origin must be this server's own (its host equal to the Host header); no Origin (a script, not
 * a browser) passes; the opaque origin "null" (sandboxed frames, file: pages) does not. Used by
 * the REST CSRF guard and by the dashboard socket's upgrade (cross-site WebSocket hijacking).
 */
export function crossOriginRefusal(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || origin === '') return undefined;
  if (origin === 'null') return 'requests from an opaque origin are refused';
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return 'Origin header is not a URL';
  }
  return host === req.headers.host ? undefined : `cross-origin request from ${origin} refused`;
}

/** CSRF guard for cookie-authenticated APIs: JSON bodies only, and same-origin when Origin is sent. */
export const csrfGuard: RequestHandler = (req, _res, next) => {
  if (!UNSAFE.has(req.method)) return next();
  // Header-authenticated (API token): no ambient credential for a cross-site page to ride on.
  if (req.headers.authorization === undefined) {
    const refusal = crossOriginRefusal(req);
    if (refusal) throw new HttpError(403, 'CSRF_REJECTED', refusal);
  }
  const hasBody = req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0';
  if ((hasBody || req.headers['transfer-encoding']) && !req.is('application/json')) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the request body as application/json');
  }
  next();
};
