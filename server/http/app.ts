/**
 * The express shell: security headers, gzip for reads, JSON bodies under /api, then the routes
 * the caller mounts (server/api/app.ts), then the dashboard's static files and the error
 * middleware. It knows no route of its own, so http/ stays below api/.
 */
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { errorHandler } from './error-handler.js';

/** What the shell needs. */
export interface HttpAppOptions {
  /** Served over TLS: HSTS on, and the CSP upgrades insecure requests. */
  isTls: boolean;
  logger: Logger;
  /** Directory of the built dashboard (index.html + assets). */
  dashboardDir: string;
  /** GET /metrics (Prometheus exposition); it does its own access check. */
  metricsHandler?: RequestHandler;
  /** Mounts the routes, after the body parser and before the dashboard files. */
  mountRoutes: (app: express.Express) => void;
}

/** Builds the express app around the routes `mountRoutes` adds. */
export function createHttpApp(opts: HttpAppOptions): express.Express {
  const { dashboardDir } = opts;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (opts.metricsHandler) app.get('/metrics', opts.metricsHandler);
  app.use(
    helmet({
      hsts: opts.isTls,
      contentSecurityPolicy: {
        directives: { 'connect-src': ["'self'", 'ws:', 'wss:'], 'upgrade-insecure-requests': opts.isTls ? [] : null },
      },
    }),
  );
  // Gzip for reads (the fleet list of 15,000 devices is ~4 MB of JSON). Only GET answers: the ones
  // that carry a secret shown once (new tokens, enrollment) are POST answers, which keeps
  // compression-length attacks (BREACH) away from them.
  app.use(compression({ filter: (req, res) => req.method === 'GET' && compression.filter(req, res) }));
  app.use('/api', express.json({ limit: '256kb' }));

  opts.mountRoutes(app);

  if (existsSync(path.join(dashboardDir, 'index.html'))) {
    app.use(express.static(dashboardDir, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(path.join(dashboardDir, 'index.html')));
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Dashboard not built. Run `npm run build:dashboard` (npm start does this for you).');
    });
  }
  app.use(errorHandler(opts.logger));
  return app;
}
