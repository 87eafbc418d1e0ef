/**
 * Lists the routes an express 5 app registered, by walking its router stack (mounted routers
 * included), so permission tests cover routes nobody remembered to list.
 */
import type express from 'express';

/** One registered route: upper-case method and full path with its `:params`. */
export interface RouteInfo {
  method: string;
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

function join(prefix: string, path: string): string {
  const joined = `${prefix}/${path}`.replace(/\/+/g, '/');
  return joined.length > 1 ? joined.replace(/\/$/, '') : joined;
}

function walk(stack: readonly LayerLike[], prefix: string, out: RouteInfo[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) {
        if (typeof p !== 'string') continue; // regexp routes (the SPA fallback) are GET-only
        for (const [method, isOn] of Object.entries(layer.route.methods))
          if (isOn && method !== '_all') out.push({ method: method.toUpperCase(), path: join(prefix, p) });
      }
    } else if (Array.isArray(layer.handle?.stack)) {
      const mount = typeof layer.rawPath === 'string' ? layer.rawPath : '/';
      walk(layer.handle.stack, join(prefix, mount), out);
    }
  }
}

/** Every method + path registered on the app. */
export function listRoutes(app: express.Express): RouteInfo[] {
  const out: RouteInfo[] = [];
  walk((app as unknown as { router: { stack: LayerLike[] } }).router.stack, '', out);
  return out;
}
