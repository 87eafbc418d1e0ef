/**
 * Hash router: `#/` (fleet), `#/devices/:id` (one device), `#/notifications` (deliveries and
 * dead letters), `#/login`. Hash routes need no server
 * support, so the server can serve index.html for `/` only.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { name: 'fleet' }
  | { name: 'device'; deviceId: string }
  | { name: 'login' }
  | { name: 'notifications' }
  | { name: 'not-found'; path: string };

/** Parses a location hash such as `#/devices/abc` into a route. */
export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '') return { name: 'fleet' };
  if (path === '/login') return { name: 'login' };
  if (path === '/notifications') return { name: 'notifications' };
  const device = /^\/devices\/([^/]+)\/?$/.exec(path);
  if (device?.[1]) return { name: 'device', deviceId: decodeURIComponent(device[1]) };
  return { name: 'not-found', path };
}

/** The hash for a device page. */
export function deviceHref(deviceId: string): string {
  return `#/devices/${encodeURIComponent(deviceId)}`;
}

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
