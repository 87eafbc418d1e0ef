/**
 * Hash router: every page is `#/<path>[?query]`, e.g. `#/`, `#/devices/:id`, `#/alerts?state=resolved`,
 * `#/incidents/:id`, `#/clients/:id`. Hash routes need no server support, so the server can
 * serve index.html for `/` only. A new page is one entry in `patterns` (and one in nav.ts).
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'fleet' }
  | { name: 'device'; deviceId: string }
  | { name: 'alerts'; state: string | null }
  | { name: 'alert'; alertId: string }
  | { name: 'incidents'; state: string | null }
  | { name: 'incident'; incidentId: string }
  | { name: 'billing'; clientId: string | null; month: string | null }
  | { name: 'clients' }
  | { name: 'client'; clientId: string }
  | { name: 'rules' }
  | { name: 'maintenance' }
  | { name: 'oncall' }
  | { name: 'channels' }
  | { name: 'audit'; actor: string | null; entityType: string | null; entityId: string | null }
  | { name: 'users' }
  | { name: 'account' }
  | { name: 'notifications' }
  | { name: 'login' }
  | { name: 'setup'; code: string | null }
  | { name: 'not-found'; path: string };

type Params = { path: string[]; query: URLSearchParams };

/** Path patterns (`:x` captures one segment) and how each becomes a route. */
const patterns: [string, (p: Params) => Route][] = [
  ['/', () => ({ name: 'fleet' })],
  ['/devices/:id', (p) => ({ name: 'device', deviceId: p.path[0]! })],
  ['/alerts', (p) => ({ name: 'alerts', state: p.query.get('state') })],
  ['/alerts/:id', (p) => ({ name: 'alert', alertId: p.path[0]! })],
  ['/incidents', (p) => ({ name: 'incidents', state: p.query.get('state') })],
  ['/incidents/:id', (p) => ({ name: 'incident', incidentId: p.path[0]! })],
  ['/billing', (p) => ({ name: 'billing', clientId: p.query.get('client'), month: p.query.get('month') })],
  ['/clients', () => ({ name: 'clients' })],
  ['/clients/:id', (p) => ({ name: 'client', clientId: p.path[0]! })],
  ['/rules', () => ({ name: 'rules' })],
  ['/maintenance', () => ({ name: 'maintenance' })],
  ['/oncall', () => ({ name: 'oncall' })],
  ['/channels', () => ({ name: 'channels' })],
  ['/audit', (p) => ({ name: 'audit', actor: p.query.get('actor'), entityType: p.query.get('entityType'), entityId: p.query.get('entityId') })],
  ['/users', () => ({ name: 'users' })],
  ['/account', () => ({ name: 'account' })],
  ['/notifications', () => ({ name: 'notifications' })],
  ['/login', () => ({ name: 'login' })],
  ['/setup', (p) => ({ name: 'setup', code: p.query.get('code') })],
];

function matchPattern(pattern: string, segments: string[]): string[] | null {
  const parts = pattern.split('/').filter(Boolean);
  if (parts.length !== segments.length) return null;
  const captured: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i]!.startsWith(':')) captured.push(decodeURIComponent(segments[i]!));
    else if (parts[i] !== segments[i]) return null;
  }
  return captured;
}

/** Parses a location hash such as `#/devices/abc` or `#/alerts?state=resolved` into a route. */
export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/';
  const [pathPart = '/', queryPart = ''] = raw.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean);
  const query = new URLSearchParams(queryPart);
  for (const [pattern, build] of patterns) {
    const captured = matchPattern(pattern, segments);
    if (captured) return build({ path: captured, query });
  }
  return { name: 'not-found', path: pathPart };
}

/** `#/path?query` with the defined query values. */
export function href(path: string, params: Record<string, string | null | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

/** The hash for a device page. */
export function deviceHref(deviceId: string): string {
  return `#/devices/${encodeURIComponent(deviceId)}`;
}

export const alertHref = (id: string) => `#/alerts/${encodeURIComponent(id)}`;
export const incidentHref = (id: string) => `#/incidents/${encodeURIComponent(id)}`;
export const clientHref = (id: string) => `#/clients/${encodeURIComponent(id)}`;

/** Goes to a hash route (adds a history entry, like a link). */
export function navigate(hash: string, replace = false): void {
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

/** The current route, re-rendering on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
