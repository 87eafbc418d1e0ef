/**
 * The server's routes on the express shell (server/http/app.ts): public routes (health, login,
 * enroll), then everything else under /api behind a session, then the acknowledge links.
 */
import type express from 'express';
import type { RequestHandler } from 'express';
import { ENROLL_PATH } from '../../shared/protocol.js';
import { csrfGuard, requireSession } from '../auth/sessions.js';
import type { ApiContext } from './context.js';
import { authRoutes } from './auth-routes.js';
import { clientRoutes } from './client-routes.js';
import { deviceRoutes } from './device-routes.js';
import { enrollRoutes } from './enroll-routes.js';
import { ruleRoutes } from './rule-routes.js';
import { alertRoutes } from './alert-routes.js';
import { incidentRoutes } from './incident-routes.js';
import { maintenanceRoutes } from './maintenance-routes.js';
import { reportRoutes } from './report-routes.js';
import { alertTimeRoutes, clientReportRoutes } from './client-report-routes.js';
import { channelRoutes } from './channel-routes.js';
import { onCallRoutes } from './oncall-routes.js';
import { escalationRoutes } from './escalation-routes.js';
import { notificationRoutes } from './notification-routes.js';
import { ackRoutes } from './ack-routes.js';
import { accountRoutes, userRoutes } from './user-routes.js';
import { enrollmentTokenRoutes } from './enrollment-token-routes.js';
import { apiTokenRoutes } from './api-token-routes.js';
import { systemRoutes } from './system-routes.js';
import { jobRoutes } from './job-routes.js';
import { policyRoutes } from './policy-routes.js';
import { settingsRoutes, setupRoutes } from './setup-routes.js';
import { auditRoutes } from './audit-routes.js';
import { authAdminRoutes, myTwoFactorRoutes, twoFactorGate } from './two-factor-routes.js';
import { probeRoutes } from './probe-routes.js';
import { discoveryRoutes } from './discovery-routes.js';
import { statusLinkRoutes, statusPageRoutes } from './status-link-routes.js';
import { signInMethodRoutes, ssoAdminRoutes, ssoFlowRoutes } from './sso-routes.js';
import { notFound } from '../http/error-handler.js';
import { createHttpApp } from '../http/app.js';

/** Optional parts of the app. */
export interface AppOptions {
  /** GET /metrics (Prometheus exposition); it does its own access check. */
  metricsHandler?: RequestHandler;
  /** GET /agent/… (signing key, manifest, executables), public (server/agent-dist/). */
  agentDist?: express.Router;
  /** GET /install.sh (server/agent-dist/install-sh.ts), public. */
  installScripts?: express.Router;
}

/** Builds the express app with every route. `dashboardDir` holds the built dashboard (index.html + assets). */
export function createApp(ctx: ApiContext, dashboardDir: string, opts: AppOptions = {}): express.Express {
  return createHttpApp({
    isTls: ctx.isTls,
    logger: ctx.logger,
    dashboardDir,
    metricsHandler: opts.metricsHandler,
    mountRoutes: (app) => {
      mountApiRoutes(app, ctx);
      if (opts.agentDist) app.use('/agent', opts.agentDist, notFound);
      if (opts.installScripts) app.use(opts.installScripts);
    },
  });
}

/** Mounts every route of the server on `app`, in the order they must match. */
export function mountApiRoutes(app: express.Express, ctx: ApiContext): void {
  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', version: ctx.version });
  });
  app.use('/api', csrfGuard);
  app.use('/api', authRoutes(ctx));
  app.use('/api', signInMethodRoutes(ctx));
  app.use('/api/setup', setupRoutes(ctx));
  app.use(ssoFlowRoutes(ctx));
  app.use(ENROLL_PATH, enrollRoutes(ctx));

  // Two-factor enrolment comes before the gate that sends an unenrolled user there.
  app.use('/api/me/two-factor', requireSession(ctx.users, ctx.now, ctx.apiTokens), myTwoFactorRoutes(ctx));
  const session = [requireSession(ctx.users, ctx.now, ctx.apiTokens), twoFactorGate(ctx)];
  app.use('/api/auth', session, authAdminRoutes(ctx));
  app.use('/api/auth', session, ssoAdminRoutes(ctx));
  app.use('/api/clients', session, clientRoutes(ctx));
  app.use('/api/devices', session, deviceRoutes(ctx));
  app.use('/api/rules', session, ruleRoutes(ctx));
  app.use('/api/alerts', session, alertRoutes(ctx));
  app.use('/api/alerts', session, alertTimeRoutes(ctx));
  app.use('/api/incidents', session, incidentRoutes(ctx));
  app.use('/api/maintenance', session, maintenanceRoutes(ctx));
  app.use('/api/reports', session, reportRoutes(ctx));
  app.use('/api/reports', session, clientReportRoutes(ctx));
  app.use('/api/channels', session, channelRoutes(ctx));
  app.use('/api/users', session, userRoutes(ctx));
  app.use('/api/me', session, accountRoutes(ctx));
  app.use('/api/oncall', session, onCallRoutes(ctx));
  app.use('/api/escalation-policies', session, escalationRoutes(ctx));
  app.use('/api/notifications', session, notificationRoutes(ctx));
  app.use('/api/enrollment-tokens', session, enrollmentTokenRoutes(ctx));
  app.use('/api/api-tokens', session, apiTokenRoutes(ctx));
  app.use('/api/audit', session, auditRoutes(ctx));
  app.use('/api/system', session, systemRoutes(ctx));
  app.use('/api/jobs', session, jobRoutes(ctx));
  app.use('/api/maintenance-policies', session, policyRoutes(ctx));
  app.use('/api/settings', session, settingsRoutes(ctx));
  app.use('/api', session, probeRoutes(ctx));
  app.use('/api', session, discoveryRoutes(ctx));
  app.use('/api', session, statusLinkRoutes(ctx));
  app.use('/api', notFound);
  // Acknowledge links from pages: HTML, no session (the signed single-use token is the credential).
  app.use('/ack', ackRoutes(ctx));
  app.use(statusPageRoutes(ctx));
}
