/**
 * The default rule set, shipped enabled and global. Seeded on every start with INSERT-if-missing
 * under fixed ids, so an admin's edits (thresholds, disabling, overrides) survive restarts and a
 * default can never be deleted, only disabled or overridden. docs/RULES.md lists them.
 */
import type { RuleParams, Severity } from '../../../shared/alert-types.js';

/** A default rule: fixed id, name, severity and parameters. */
export interface DefaultRule {
  id: string;
  name: string;
  severity: Severity;
  params: RuleParams;
}

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** The defaults, in display order. */
export const DEFAULT_RULES: readonly DefaultRule[] = [
  {
    id: 'default-cpu-high',
    name: 'CPU load high',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'cpu.loadPct', labels: {}, op: 'above', threshold: 90, clearThreshold: 80, forMs: 5 * MIN, clearForMs: 0 },
  },
  {
    id: 'default-memory-high',
    name: 'Memory use high',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'mem.usedPct', labels: {}, op: 'above', threshold: 90, clearThreshold: 85, forMs: 5 * MIN, clearForMs: 0 },
  },
  {
    id: 'default-filesystem-full',
    name: 'Filesystem almost full',
    severity: 'critical',
    params: { kind: 'threshold', metric: 'fs.usedPct', labels: {}, op: 'above', threshold: 90, clearThreshold: 85, forMs: 0, clearForMs: 0 },
  },
  {
    id: 'default-filesystem-forecast',
    name: 'Filesystem predicted full within 7 days',
    severity: 'warning',
    params: {
      kind: 'forecast',
      metric: 'fs.usedBytes',
      labels: {},
      horizonMs: 7 * DAY,
      clearHorizonMs: 10 * DAY,
      windowMs: 6 * HOUR,
      minSpanMs: HOUR,
      forMs: 0,
    },
  },
  {
    id: 'default-offline',
    name: 'Device offline',
    severity: 'critical',
    params: { kind: 'offline', missedIntervals: 3 },
  },
  {
    id: 'default-temperature-high',
    name: 'CPU temperature high',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'temp.cpuCelsius', labels: {}, op: 'above', threshold: 85, clearThreshold: 80, forMs: 2 * MIN, clearForMs: 0 },
  },
  {
    id: 'default-service-down',
    name: 'Service not running',
    severity: 'critical',
    params: { kind: 'service-down', metric: 'service.isRunning', labels: {}, forMs: 2 * MIN, clearForMs: 0 },
  },
  {
    id: 'default-printer-error',
    name: 'Printer error',
    severity: 'warning',
    params: { kind: 'printer-error', metric: 'printer.hasError', labels: {}, forMs: 5 * MIN, clearForMs: 0 },
  },
  {
    id: 'default-smart-failing',
    name: 'Disk SMART failing',
    severity: 'critical',
    params: { kind: 'smart-failing', metric: 'smart.isFailing', labels: {}, forMs: 0, clearForMs: 0 },
  },
  // Maintenance (docs/MAINTENANCE.md): the server sets maintenance.failed from job results.
  {
    id: 'default-maintenance-failed',
    name: 'Maintenance failed',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'maintenance.failed', labels: {}, op: 'above', threshold: 0.5, clearThreshold: 0.5, forMs: 0, clearForMs: 0 },
  },
  // Site probe (docs/SITE-PROBE.md): agentless checks of printers, UPSes, switches, websites.
  {
    id: 'default-check-failing',
    name: 'Probed device check failing',
    severity: 'critical',
    params: { kind: 'threshold', metric: 'check.isUp', labels: {}, op: 'below', threshold: 0.5, clearThreshold: 0.5, forMs: 0, clearForMs: 0 },
  },
  {
    id: 'default-cert-expiring',
    name: 'Certificate expires within 21 days',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'tls.certDaysLeft', labels: {}, op: 'below', threshold: 21, clearThreshold: 21, forMs: 0, clearForMs: 0 },
  },
  {
    id: 'default-cert-expiry-critical',
    name: 'Certificate expires within 7 days',
    severity: 'critical',
    params: { kind: 'threshold', metric: 'tls.certDaysLeft', labels: {}, op: 'below', threshold: 7, clearThreshold: 7, forMs: 0, clearForMs: 0 },
  },
  {
    id: 'default-cert-untrusted',
    name: 'Certificate chain does not verify',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'tls.isChainValid', labels: {}, op: 'below', threshold: 0.5, clearThreshold: 0.5, forMs: 0, clearForMs: 0 },
  },
  {
    id: 'default-toner-low',
    name: 'Toner or ink low',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'printer.tonerPct', labels: {}, op: 'below', threshold: 10, clearThreshold: 15, forMs: 0, clearForMs: 0 },
  },
  {
    id: 'default-ups-on-battery',
    name: 'UPS on battery',
    severity: 'critical',
    params: { kind: 'threshold', metric: 'ups.isOnBattery', labels: {}, op: 'above', threshold: 0.5, clearThreshold: 0.5, forMs: 0, clearForMs: 0 },
  },
  // Switches and firewalls (SNMP network template). Warning, not critical: on an access switch a
  // port goes down whenever a PC is switched off; 2 min so a flapping port or a reboot of the
  // device behind it does not page at once. Only administratively up ports report if.isUp.
  {
    id: 'default-interface-down',
    name: 'Interface down',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'if.isUp', labels: {}, op: 'below', threshold: 0.5, clearThreshold: 0.5, forMs: 2 * MIN, clearForMs: 0 },
  },
  // snmp.rebooted is 1 on one poll only, so the alert resolves on the next poll: a notice, not a state.
  {
    id: 'default-device-rebooted',
    name: 'Device rebooted',
    severity: 'warning',
    params: { kind: 'threshold', metric: 'snmp.rebooted', labels: {}, op: 'above', threshold: 0.5, clearThreshold: 0.5, forMs: 0, clearForMs: 0 },
  },
];
