/**
 * Read-only status links (optional per client): a shareable, revocable URL showing the client's
 * devices' health now and this month's availability, with no login and, if the client prefers,
 * no host names. Technicians make and revoke them (audited); the token is shown once and only its
 * hash is kept; a revoked link answers 404 from that moment.
 *
 *   create(actor, client, { showHostnames, label }) ─▶ { link, token }   /status/<token>
 *   page(token) ─▶ HTML | undefined (unknown or revoked)
 */
import { HttpError } from '../lib/errors.js';
import { generateToken, hashToken } from '../lib/secrets.js';
import { localDate } from '../time/zones.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { ClientStore } from '../store/clients.js';
import type { ClientReportStore } from '../store/client-reports.js';
import type { Device, DeviceStore } from '../store/devices.js';
import type { DeviceHealth } from '../store/device-health.js';
import type { StatusLink, StatusLinkStore } from '../store/status-links.js';
import type { ClientReports } from './report-data.js';
import { renderStatusPage, type StatusDevice } from './status-page.js';

/** Prefix of status-link tokens (`qps_…`), so a leaked one is recognisable. */
export const STATUS_TOKEN_PREFIX = 'qps';
/** Most live links per client. */
export const MAX_LINKS_PER_CLIENT = 10;

export interface StatusLinkServiceDeps {
  links: StatusLinkStore;
  clients: ClientStore;
  devices: DeviceStore;
  settings: Pick<ClientReportStore, 'settings'>;
  reports: Pick<ClientReports, 'build'>;
  health: () => Map<string, DeviceHealth>;
  isOnline: (d: Device) => boolean;
  isStatusUnknown: (d: Device) => boolean;
  mspName: () => string;
  audit: AuditLog;
  now: () => number;
}

/** Builds the service. */
export function createStatusLinkService(deps: StatusLinkServiceDeps) {
  const { links, audit } = deps;

  function client(clientId: string) {
    const c = deps.clients.findById(clientId);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
    return c;
  }

  return {
    /** Makes a link; the token is in the answer only. */
    create(actor: AuditActor, clientId: string, input: { showHostnames?: boolean; label?: string }): { link: StatusLink; token: string } {
      const c = client(clientId);
      if (links.listOfClient(clientId).filter((l) => l.revokedAtMs === null).length >= MAX_LINKS_PER_CLIENT)
        throw new HttpError(409, 'STATUS_LINK_LIMIT', `${c.name} already has ${MAX_LINKS_PER_CLIENT} status links; revoke one first`);
      const token = generateToken(STATUS_TOKEN_PREFIX);
      const showHostnames = input.showHostnames ?? true;
      const id = audit.audited(actor, (record) => {
        const linkId = links.create({ clientId, tokenHash: hashToken(token), label: input.label ?? null, showHostnames, createdBy: actor.name }, deps.now());
        record({
          action: 'status-link.create',
          entityType: 'client',
          entityId: clientId,
          summary: `made a read-only status link for client "${c.name}"${showHostnames ? '' : ' without host names'}${input.label ? ` (${input.label})` : ''}`,
          detail: { linkId, showHostnames },
        });
        return linkId;
      });
      return { link: links.find(id)!, token };
    },

    list(clientId: string): StatusLink[] {
      client(clientId);
      return links.listOfClient(clientId);
    },

    /** Revokes a link: its page answers 404 from now on. */
    revoke(actor: AuditActor, id: string): StatusLink {
      const link = links.find(id);
      if (!link) throw new HttpError(404, 'STATUS_LINK_NOT_FOUND', `no status link with id ${id}`);
      if (link.revokedAtMs !== null) throw new HttpError(409, 'STATUS_LINK_REVOKED', `status link ${id} was revoked already`);
      const c = client(link.clientId);
      audit.audited(actor, (record) => {
        links.revoke(id, deps.now());
        record({
          action: 'status-link.revoke',
          entityType: 'client',
          entityId: link.clientId,
          summary: `revoked a status link of client "${c.name}"${link.label ? ` (${link.label})` : ''}`,
          detail: { linkId: id },
        });
      });
      return links.find(id)!;
    },

    /** The page a token opens, in the client's report language; undefined for an unknown or revoked token. */
    page(token: string): string | undefined {
      if (!token.startsWith(`${STATUS_TOKEN_PREFIX}_`) || token.length > 100) return undefined;
      const link = links.findLive(hashToken(token));
      if (!link) return undefined;
      const c = deps.clients.findById(link.clientId);
      if (!c) return undefined;
      const nowMs = deps.now();
      const month = localDate(nowMs, c.timezone).slice(0, 7);
      const locale = deps.settings.settings(c.id).language;
      const report = deps.reports.build(c.id, month, locale);
      const availability = new Map(report.availability.devices.map((d) => [d.deviceId, d.availabilityPct]));
      const health = deps.health();
      const devices: StatusDevice[] = deps.devices
        .idsOfClient(c.id)
        .map((id) => deps.devices.findById(id)!)
        .filter((d) => !d.isDisabled)
        .sort((a, b) => a.hostname.localeCompare(b.hostname))
        .map((d) => {
          const h = health.get(d.id);
          const state: StatusDevice['state'] = deps.isOnline(d)
            ? (h?.openAlerts ?? 0) + (h?.openIncidents ?? 0) > 0
              ? 'problem'
              : 'ok'
            : deps.isStatusUnknown(d)
              ? 'unknown'
              : 'offline';
          // A device that never reported has no availability to show, whatever the month's figures say.
          const availabilityPct = d.lastSeenMs === null ? null : (availability.get(d.id) ?? null);
          return { hostname: d.hostname, kind: d.kind ?? 'agent', state, availabilityPct };
        });
      return renderStatusPage(
        {
          mspName: deps.mspName(),
          clientName: c.name,
          timezone: c.timezone,
          generatedAtMs: nowMs,
          month,
          overallPct: report.availability.overallPct,
          showHostnames: link.showHostnames,
          devices,
        },
        locale,
      );
    },
  };
}
export type StatusLinkService = ReturnType<typeof createStatusLinkService>;
