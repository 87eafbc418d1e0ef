/**
 * The zod-free half of shared/probe.ts (kinds, check types, limits), for the agent, which does not
 * load zod (see shared/protocol-constants.ts).
 */
/** Kinds of devices: `agent` runs our agent; the rest are probed. */
export const DEVICE_KINDS = ['agent', 'printer', 'ups', 'switch', 'firewall', 'nas', 'website'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];
/** Kinds a probed device may have. */
export const PROBED_DEVICE_KINDS = ['printer', 'ups', 'switch', 'firewall', 'nas', 'website'] as const;
export type ProbedDeviceKind = (typeof PROBED_DEVICE_KINDS)[number];

/** Check types a probe runs. */
export const PROBE_CHECK_TYPES = ['ping', 'tcp', 'http', 'tls', 'dns', 'snmp'] as const;
export type ProbeCheckType = (typeof PROBE_CHECK_TYPES)[number];

/** Most checks on one probed device, and probed devices per probe. */
export const MAX_CHECKS_PER_TARGET = 20;
export const MAX_TARGETS_PER_PROBE = 2_000;

/** SNMP templates: what a check reads (docs/SITE-PROBE.md lists the OIDs). */
export const SNMP_TEMPLATES = ['printer', 'ups'] as const;
export type SnmpTemplate = (typeof SNMP_TEMPLATES)[number];
