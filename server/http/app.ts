/**
 * The express app: security headers, JSON bodies, public routes (health, login, enroll), then
 * everything else under /api behind a session, then the dashboard's static files.
 */
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import compression from 'compression';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ENROLL_PATH } from '../../shared/protocol.js';
import { csrfGuard, requireSession } from '../auth/sessions.js';
import type { ApiContext } from '../api/context.js';
import { authRoutes } from '../api/auth-routes.js';
import { clientRoutes } from '../api/client-routes.js';
import { deviceRoutes } from '../api/device-routes.js';
import { enrollRoutes } from '../api/enroll-routes.js';
import { ruleRoutes } from '../api/rule-routes.js';
import { alertRoutes } from '../api/alert-routes.js';
import { incidentRoutes } from '../api/incident-routes.js';
import { maintenanceRoutes } from '../api/maintenance-routes.js';
import { reportRoutes } from '../api/report-routes.js';
import { channelRoutes } from '../api/channel-routes.js';
import { onCallRoutes } from '../api/oncall-routes.js';
import { escalationRoutes } from '../api/escalation-routes.js';
import { notificationRoutes } from '../api/notification-routes.js';
import { ackRoutes } from '../api/ack-routes.js';
import { accountRoutes, userRoutes } from '../api/user-routes.js';
import { enrollmentTokenRoutes } from '../api/enrollment-token-routes.js';
import { apiTokenRoutes } from '../api/api-token-routes.js';
import { auditRoutes } from '../api/audit-routes.js';
import { errorHandler, notFound } from './errors.js';

/** Optional parts of the app. */
export interface AppOptions {
  /** GET /metrics (Prometheus exposition); it does its own access check. */
  metricsHandler?: RequestHandler;
  /** GET /agent/… (signing key, manifest, executables), public (server/agent-dist/). */
  agentDist?: express.Router;
  /** GET /install.sh (server/agent-dist/install-sh.ts), public. */
  installScripts?: express.Router;
}

/** Builds the express app. `dashboardDir` holds the built dashboard (index.html + assets). */
export function createApp(ctx: ApiContext, dashboardDir: string, opts: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (opts.metricsHandler) app.get('/metrics', opts.metricsHandler);
  app.use(
    helmet({
      hsts: ctx.isTls,
      contentSecurityPolicy: {
        directives: { 'connect-src': ["'self'", 'ws:', 'wss:'], 'upgrade-insecure-requests': ctx.isTls ? [] : null },
      },
    }),
  );
  // Gzip for reads (the fleet list of 15,000 devices is ~4 MB of JSON). Only GET answers: the ones
  // that carry a secret shown once (new tokens, enrollment) are POST answers, which keeps
  // compression-length attacks (BREACH) away from them.
  app.use(compression({ filter: (req, res) => req.method === 'GET' && compression.filter(req, res) }));
  app.use('/api', express.json({ limit: '256kb' }));

  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', version: ctx.version });
  });
  app.use('/api', csrfGuard);
  app.use('/api', authRoutes(ctx));
  app.use(ENROLL_PATH, enrollRoutes(ctx));

  const session = requireSession(ctx.users, ctx.now, ctx.apiTokens);
  app.use('/api/clients', session, clientRoutes(ctx));
  app.use('/api/devices', session, deviceRoutes(ctx));
  app.use('/api/rules', session, ruleRoutes(ctx));
  app.use('/api/alerts', session, alertRoutes(ctx));
  app.use('/api/incidents', session, incidentRoutes(ctx));
  app.use('/api/maintenance', session, maintenanceRoutes(ctx));
  app.use('/api/reports', session, reportRoutes(ctx));
  app.use('/api/channels', session, channelRoutes(ctx));
  app.use('/api/users', session, userRoutes(ctx));
  app.use('/api/me', session, accountRoutes(ctx));
  app.use('/api/oncall', session, onCallRoutes(ctx));
  app.use('/api/escalation-policies', session, escalationRoutes(ctx));
  app.use('/api/notifications', session, notificationRoutes(ctx));
  app.use('/api/enrollment-tokens', session, enrollmentTokenRoutes(ctx));
  app.use('/api/api-tokens', session, apiTokenRoutes(ctx));
  app.use('/api/audit', session, auditRoutes(ctx));
  app.use('/api', notFound);
  // Acknowledge links from pages: HTML, no session (the signed single-use token is the credential).
  app.use('/ack', ackRoutes(ctx));
  if (opts.agentDist) app.use('/agent', opts.agentDist, notFound);
  if (opts.installScripts) app.use(opts.installScripts);

  if (existsSync(path.join(dashboardDir, 'index.html'))) {
    app.use(express.static(dashboardDir, { index: 'index.html', maxAge: '1h' }));
    app.get(/^\/(?!api\/).*/, (_req, res) => res.sendFile(path.join(dashboardDir, 'index.html')));
  } else {
    app.get('/', (_req, res) => {
      res.type('text').send('Dashboard not built. Run `npm run build:dashboard` (npm start does this for you).');
    });
  }
  app.use(errorHandler(ctx.logger));
  return app;
}
