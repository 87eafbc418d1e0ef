/**
 * Discovery (site probe): a technician has a probe scan ranges of the client's own network for
 * devices that answer SNMP, sees what answered with its sysDescr, and adopts one in a click as a
 * probed device with the template its kind needs and the scan's credential. Each change is
 * audited with the person who made it; the caller pushes the probe its new settings.
 *
 *   start(actor, client, scan) ─▶ running ─ probe frames (server/compose/agents.ts) ─▶ done
 *   list(client) ─▶ scans with found devices, each marked with the device already made from it
 *   adopt(actor, scan, address) ─▶ probed device (printer → printer template, UPS → ups, …)
 */
import { checkScanRanges } from '../../shared/ipv4-ranges.js';
import {
  DEFAULT_SCAN_RATE_PER_SEC,
  DEFAULT_SCAN_TIMEOUT_MS,
  MAX_RUNNING_SCANS_PER_PROBE,
  MAX_SCAN_ADDRESSES,
  type AdoptDiscovered,
  type CreateDiscoveryScan,
  type DiscoveryScanInfo,
} from '../../shared/discovery.js';
import { SNMP_TEMPLATES, type ProbeCheck, type ProbedDeviceKind, type SnmpTemplate } from '../../shared/probe.js';
import { HttpError } from '../lib/errors.js';
import type { AuditActor, AuditLog } from '../audit/audit-log.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import type { DiscoveryScan, DiscoveryStore } from '../store/discovery.js';
import type { ProbeStore } from '../store/probes.js';
import { probeProblem, type ProbedDeviceService } from './probed-device-service.js';

/** A scan is given up this long after it should have finished (the probe was away, or died mid-scan). */
export const SCAN_GRACE_MS = 15 * 60_000;

export interface DiscoveryServiceDeps {
  discovery: DiscoveryStore;
  probes: ProbeStore;
  devices: DeviceStore;
  clients: ClientStore;
  probed: ProbedDeviceService;
  audit: AuditLog;
  now: () => number;
}

/** The SNMP template a kind of device is read with, when this version has one. */
export function templateForKind(kind: ProbedDeviceKind): SnmpTemplate | undefined {
  const wanted: Partial<Record<ProbedDeviceKind, string>> = { printer: 'printer', ups: 'ups', switch: 'network', firewall: 'network', nas: 'network' };
  const t = wanted[kind];
  return t !== undefined && (SNMP_TEMPLATES as readonly string[]).includes(t) ? (t as SnmpTemplate) : undefined;
}

/** Builds the discovery service over its stores and the audit log. */
export function createDiscoveryService(deps: DiscoveryServiceDeps) {
  const { discovery, audit } = deps;

  function client(clientId: string) {
    const c = deps.clients.findById(clientId);
    if (!c) throw new HttpError(404, 'CLIENT_NOT_FOUND', `no client with id ${clientId}`);
    return c;
  }

  function scan(id: string): DiscoveryScan {
    discovery.expireOverdue(deps.now());
    const s = discovery.find(id);
    if (!s) throw new HttpError(404, 'SCAN_NOT_FOUND', `no discovery scan with id ${id}`);
    return s;
  }

  /** Addresses of the client's probed devices (the hosts of their checks), to mark what is already watched. */
  function watchedAddresses(clientId: string): Map<string, { id: string; name: string }> {
    const out = new Map<string, { id: string; name: string }>();
    for (const id of deps.devices.idsOfClient(clientId)) {
      const p = deps.probes.find(id);
      for (const c of p?.checks ?? []) if ('host' in c && !out.has(c.host)) out.set(c.host, { id: p!.id, name: p!.hostname });
    }
    return out;
  }

  function info(s: DiscoveryScan, watched: Map<string, { id: string; name: string }>): DiscoveryScanInfo {
    return {
      id: s.id,
      clientId: s.clientId,
      probeDeviceId: s.probeDeviceId,
      probeHostname: deps.devices.findById(s.probeDeviceId)?.hostname ?? null,
      ranges: s.ranges,
      port: s.port,
      version: s.version,
      ratePerSec: s.ratePerSec,
      state: s.state,
      scanned: s.scanned,
      total: s.addressCount,
      createdAtMs: s.createdAtMs,
      finishedAtMs: s.finishedAtMs,
      requestedBy: s.requestedBy,
      found: discovery.found(s.id).map((f) => {
        const adopted = f.adoptedDeviceId !== null ? deps.devices.findById(f.adoptedDeviceId) : undefined;
        const same = adopted ? { id: adopted.id, name: adopted.hostname } : watched.get(f.address);
        return {
          address: f.address,
          sysDescr: f.sysDescr,
          ...(f.sysName !== undefined ? { sysName: f.sysName } : {}),
          ...(f.sysObjectId !== undefined ? { sysObjectId: f.sysObjectId } : {}),
          ...(f.kindGuess !== undefined ? { kindGuess: f.kindGuess } : {}),
          ...(f.refusal !== undefined ? { refusal: f.refusal } : {}),
          foundAtMs: f.foundAtMs,
          deviceId: same?.id ?? null,
          deviceName: same?.name ?? null,
        };
      }),
    };
  }

  return {
    /** Starts a scan on the probe; answers its id (the caller pushes the probe its config). */
    start(actor: AuditActor, clientId: string, input: CreateDiscoveryScan): DiscoveryScanInfo {
      const c = client(clientId);
      const problem = probeProblem(deps.devices, input.probeDeviceId, clientId);
      if (problem) throw problem;
      discovery.expireOverdue(deps.now());
      if (discovery.runningCount(input.probeDeviceId) >= MAX_RUNNING_SCANS_PER_PROBE)
        throw new HttpError(409, 'SCAN_LIMIT', `this probe already runs ${MAX_RUNNING_SCANS_PER_PROBE} scans; wait for one to finish or cancel it`);
      const checked = checkScanRanges(input.ranges, MAX_SCAN_ADDRESSES);
      if ('problem' in checked) throw new HttpError(400, 'SCAN_RANGE_REFUSED', `body.ranges.${checked.index}: ${checked.problem}`);
      const ratePerSec = input.ratePerSec ?? DEFAULT_SCAN_RATE_PER_SEC;
      const nowMs = deps.now();
      const id = audit.audited(actor, (record) => {
        const scanId = discovery.create(
          {
            clientId,
            probeDeviceId: input.probeDeviceId,
            ranges: checked.ranges.map((r) => r.text),
            port: input.port ?? 161,
            version: input.version,
            ratePerSec,
            timeoutMs: input.timeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS,
            addressCount: checked.addressCount,
            requestedBy: actor.name,
            deadlineMs: nowMs + Math.ceil((checked.addressCount / ratePerSec) * 1_000) * 2 + SCAN_GRACE_MS,
            credential: input.version === 'v2c' ? { community: input.community! } : { v3: input.v3! },
          },
          nowMs,
        );
        record({
          action: 'discovery.scan-start',
          entityType: 'client',
          entityId: clientId,
          summary: `started a discovery scan of ${checked.ranges.map((r) => r.text).join(', ')} (${checked.addressCount} addresses, SNMP ${input.version}) for client "${c.name}"`,
          detail: { scanId, probeDeviceId: input.probeDeviceId, ratePerSec },
        });
        return scanId;
      });
      return info(scan(id), watchedAddresses(clientId));
    },

    /** A client's latest scans with what they found, newest first. */
    list(clientId: string): DiscoveryScanInfo[] {
      client(clientId);
      discovery.expireOverdue(deps.now());
      const watched = watchedAddresses(clientId);
      return discovery.listOfClient(clientId).map((s) => info(s, watched));
    },

    get(id: string): DiscoveryScanInfo {
      const s = scan(id);
      return info(s, watchedAddresses(s.clientId));
    },

    /** Stops a running scan; answers the probe to push to. */
    cancel(actor: AuditActor, id: string): string {
      const s = scan(id);
      if (s.state !== 'running') throw new HttpError(409, 'SCAN_NOT_RUNNING', `scan ${id} is ${s.state}; only a running scan can be cancelled`);
      audit.audited(actor, (record) => {
        discovery.cancel(id, deps.now());
        record({
          action: 'discovery.scan-cancel',
          entityType: 'client',
          entityId: s.clientId,
          summary: `cancelled the discovery scan of ${s.ranges.join(', ')} after ${s.scanned} of ${s.addressCount} addresses`,
          detail: { scanId: id },
        });
      });
      return s.probeDeviceId;
    },

    /**
     * Makes a found device a probed device of the scan's client, checked by the scan's probe with
     * the scan's credential and the template of its kind. Answers the new device's id and its probe.
     */
    adopt(actor: AuditActor, scanId: string, address: string, input: AdoptDiscovered): { deviceId: string; probeDeviceId: string } {
      const s = scan(scanId);
      const found = discovery.foundOne(scanId, address);
      if (!found) throw new HttpError(404, 'FOUND_DEVICE_NOT_FOUND', `scan ${scanId} found nothing at ${address}`);
      const already = found.adoptedDeviceId ?? watchedAddresses(s.clientId).get(address)?.id;
      if (already) throw new HttpError(409, 'ALREADY_MONITORED', `${address} is already monitored as device ${already}`);
      if (found.refusal)
        throw new HttpError(
          409,
          'CREDENTIAL_REFUSED',
          `${address} answers SNMPv3 but refuses this scan's credential (${found.refusal}); scan again with the right one`,
        );
      const kind = input.kind ?? found.kindGuess;
      if (!kind) throw new HttpError(400, 'KIND_NEEDED', `body.kind: say what kind of device ${address} is (printer, ups, switch, firewall, nas)`);
      const credential = discovery.credentialOf(scanId)!;
      const template = templateForKind(kind);
      const checks: ProbeCheck[] = template
        ? [{ id: 'snmp', type: 'snmp', host: address, port: s.port, template, version: s.version, ...credential }]
        : [{ id: 'ping', type: 'ping', host: address }];
      const probeDeviceId = s.probeDeviceId;
      const deviceId = deps.probed.create(actor, s.clientId, {
        name: input.name ?? found.sysName ?? `${kind} ${address}`,
        kind,
        probeDeviceId,
        ...(input.intervalMs !== undefined ? { intervalMs: input.intervalMs } : {}),
        checks,
      });
      discovery.markAdopted(scanId, address, deviceId);
      return { deviceId, probeDeviceId };
    },
  };
}
export type DiscoveryService = ReturnType<typeof createDiscoveryService>;
