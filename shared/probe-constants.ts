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

/**
 * Checks that tell whether a probed device answers at all: a probed device is online only while
 * one of them is up (a silent printer keeps being reported, with `check.isUp` 0). TLS and DNS
 * checks are about a certificate or a name, not about the device answering.
 */
export const REACHABILITY_CHECK_TYPES: readonly ProbeCheckType[] = ['snmp', 'ping', 'tcp', 'http'];

/**
 * Whether a probed device answers, from its checks and its latest values: true when one of its
 * reachability checks has `check.isUp` 1, false when it has such checks and none is up,
 * undefined when it has none (then being reported is all that is known).
 */
export function isReachable(checks: readonly { id: string; type: ProbeCheckType }[], latest: Readonly<Record<string, number>>): boolean | undefined {
  let hasReachability = false;
  for (const c of checks) {
    if (!REACHABILITY_CHECK_TYPES.includes(c.type)) continue;
    hasReachability = true;
    if (latest[`check.isUp{check=${c.id}}`] === 1) return true;
  }
  return hasReachability ? false : undefined;
}

/**
 * Most checks on one probed device, and probed devices per probe. Each target's round is one
 * report frame, and the gateway lets an agent send 20 frames/s sustained
 * (server/gateway/agent-rate-limit.ts): a probe's targets may use PROBE_REPORTS_PER_SEC of that
 * (the rest is its own reports, pings and discovery frames): 1,080 targets at 60 s, hence 1,000.
 */
export const MAX_CHECKS_PER_TARGET = 20;
export const MAX_TARGETS_PER_PROBE = 1_000;
export const PROBE_REPORTS_PER_SEC = 18;

/** SNMP templates: what a check reads (docs/SITE-PROBE.md lists the OIDs). */
export const SNMP_TEMPLATES = ['printer', 'ups', 'network', 'oids'] as const;
export type SnmpTemplate = (typeof SNMP_TEMPLATES)[number];

/** Most OIDs one `oids` check reads. */
export const MAX_SNMP_OIDS = 32;
/** Most arcs (numbers) in one OID, and most characters of its dotted form. */
export const MAX_OID_ARCS = 64;
export const MAX_OID_LENGTH = 400;
/** An OID in dotted numeric form: 1.3.6.1.2.1.1.3.0 (no leading dot, no leading zeros). */
export const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]{0,9}))+$/;
/** The name of an OID in an `oids` check; it becomes the `oid` label of `snmp.value`. */
export const OID_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,39}$/;
/** Why `oid` is not a usable OID, or undefined. Shared by the REST schema and the agent's config check. */
export function oidProblem(oid: unknown): string | undefined {
  if (typeof oid !== 'string' || oid.length === 0) return 'an OID in dotted numbers, e.g. 1.3.6.1.2.1.1.3.0';
  if (oid.length > MAX_OID_LENGTH) return `at most ${MAX_OID_LENGTH} characters`;
  if (!OID_PATTERN.test(oid))
    return `"${oid.slice(0, 60)}" is no dotted numeric OID: digits separated by single dots, starting 0, 1 or 2, no leading dot or zeros (e.g. 1.3.6.1.2.1.1.3.0)`;
  const arcs = oid.split('.');
  if (arcs.length > MAX_OID_ARCS) return `at most ${MAX_OID_ARCS} numbers`;
  if (arcs.some((a) => Number(a) > 4_294_967_295)) return 'each number at most 4294967295';
  if (Number(arcs[0]) < 2 && Number(arcs[1]) > 39) return `the second number is at most 39 under ${arcs[0]}`;
  return undefined;
}
