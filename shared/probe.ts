/**
 * Site probe: devices without an agent (printers, UPSes, switches, firewalls, NAS, websites) that
 * an enrolled agent of the same client checks on the server's behalf. The server pushes each
 * probe its targets and checks in `config.probe`; the probe reports each target's results as a
 * `report` with `targetDeviceId` (shared/protocol.ts). The zod schemas here validate the REST
 * input and the pushed config; the agent checks the pushed config by hand (agent/probe/config.ts).
 */
import { z } from 'zod';

import {
  MAX_CHECKS_PER_TARGET,
  MAX_SNMP_OIDS,
  MAX_TARGETS_PER_PROBE,
  OID_NAME_PATTERN,
  PROBED_DEVICE_KINDS,
  SNMP_TEMPLATES,
  oidProblem,
  type ProbedDeviceKind,
} from './probe-constants.js';
import { MAX_RUNNING_SCANS_PER_PROBE, MAX_SCAN_RANGES, MAX_SCAN_RATE_PER_SEC } from './discovery-constants.js';

export * from './probe-constants.js';

const checkId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _');
/** A host name or IP address (no scheme, no port). */
const host = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_-]+$/, 'a host name or IP address without scheme or port');
const port = z.number().int().min(1).max(65_535);
const timeoutMs = z.number().int().min(100).max(30_000);
/** PEM of extra CA certificates a check trusts besides the system's. */
const caPem = z
  .string()
  .max(64_000)
  .regex(/-----BEGIN CERTIFICATE-----/, 'a PEM certificate (-----BEGIN CERTIFICATE-----)');

const base = { id: checkId, timeoutMs: timeoutMs.optional() };

/** ICMP echo; where the probe may not send ICMP it measures a TCP connect to `fallbackPort`. */
export const pingCheckSchema = z
  .object({ ...base, type: z.literal('ping'), host, count: z.number().int().min(1).max(10).optional(), fallbackPort: port.optional() })
  .strict();
/** A TCP port accepts a connection. */
export const tcpCheckSchema = z.object({ ...base, type: z.literal('tcp'), host, port }).strict();
/** An HTTP(S) answer: status within `expectStatus` (default 200–399), optional keyword in the body. */
export const httpCheckSchema = z
  .object({
    ...base,
    type: z.literal('http'),
    url: z
      .string()
      .max(2_000)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'http:// or https:// only'),
    expectStatusMin: z.number().int().min(100).max(599).optional(),
    expectStatusMax: z.number().int().min(100).max(599).optional(),
    keyword: z.string().min(1).max(200).optional(),
    /** Redirects to follow (0 = report the redirect itself). Default 5. */
    maxRedirects: z.number().int().min(0).max(10).optional(),
    caPem: caPem.optional(),
  })
  .strict();
/** The certificate a TLS server shows: days until expiry, and whether its chain verifies. */
export const tlsCheckSchema = z
  .object({ ...base, type: z.literal('tls'), host, port: port.optional(), serverName: host.optional(), caPem: caPem.optional() })
  .strict();
/** A name resolves (optionally to an expected address, optionally at a given DNS server). */
export const dnsCheckSchema = z
  .object({
    ...base,
    type: z.literal('dns'),
    name: host,
    recordType: z.enum(['A', 'AAAA']).optional(),
    expectAddress: z.string().min(1).max(100).optional(),
    /** DNS server `ip` or `ip:port`; default the probe's system resolver. */
    server: z.string().min(1).max(100).optional(),
  })
  .strict();

const secret = z.string().min(1).max(200);
/** SNMPv3 user (USM). Keys are write-only: stored encrypted, never returned by the API. */
export const snmpV3UserSchema = z
  .object({
    user: z.string().min(1).max(100),
    authProtocol: z.enum(['sha', 'sha256', 'md5']).optional(),
    authKey: z.string().min(8).max(200),
    privProtocol: z.enum(['aes', 'des']).optional(),
    privKey: z.string().min(8).max(200),
  })
  .strict();
/** One OID of an `oids` check: the dotted OID and the name it is stored under (`snmp.value{oid=<name>}`). */
export const snmpOidSchema = z
  .object({
    oid: z.string().superRefine((oid, ctx) => {
      const problem = oidProblem(oid);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    name: z.string().regex(OID_NAME_PATTERN, 'a name of 1–40 lower-case letters, digits, ., - and _ (it becomes the oid label)'),
  })
  .strict();

/**
 * SNMP v2c or v3 (auth + priv) read with a template. `community` and `v3` are write-only: the API
 * stores them encrypted and answers `hasCredential` instead; only the probe receives them.
 */
export const snmpCheckSchema = z
  .object({
    ...base,
    type: z.literal('snmp'),
    host,
    port: port.optional(),
    template: z.enum(SNMP_TEMPLATES),
    version: z.enum(['v2c', 'v3']),
    community: secret.optional(),
    v3: snmpV3UserSchema.optional(),
    /** The OIDs of the `oids` template (and only of it). */
    oids: z.array(snmpOidSchema).min(1).max(MAX_SNMP_OIDS, `at most ${MAX_SNMP_OIDS} OIDs`).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.template === 'oids' && c.oids === undefined)
      ctx.addIssue({ code: 'custom', path: ['oids'], message: 'the oids template needs a list of { oid, name }' });
    if (c.template !== 'oids' && c.oids !== undefined)
      ctx.addIssue({ code: 'custom', path: ['oids'], message: `only the oids template reads a list of OIDs; the ${c.template} template has its own` });
    const names = new Set<string>();
    c.oids?.forEach((o, i) => {
      if (names.has(o.name))
        ctx.addIssue({ code: 'custom', path: ['oids', i, 'name'], message: `name "${o.name}" is used twice; each OID needs its own name` });
      names.add(o.name);
    });
  });

/** One agentless check. */
export const probeCheckSchema = z.discriminatedUnion('type', [
  pingCheckSchema,
  tcpCheckSchema,
  httpCheckSchema,
  tlsCheckSchema,
  dnsCheckSchema,
  snmpCheckSchema,
]);
export type ProbeCheck = z.infer<typeof probeCheckSchema>;

/** The checks of one probed device, ids unique. */
export const probeChecksSchema = z
  .array(probeCheckSchema)
  .min(1)
  .max(MAX_CHECKS_PER_TARGET)
  .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'check ids must be unique within a device');

/** One probed device as pushed to its probe. */
export const probeTargetSchema = z.object({
  deviceId: z.string().min(1).max(100),
  kind: z.enum(PROBED_DEVICE_KINDS),
  /** How often the probe runs this device's checks, ms. */
  intervalMs: z.number().int().min(1_000).max(3_600_000),
  checks: z.array(probeCheckSchema).max(MAX_CHECKS_PER_TARGET),
});
export type ProbeTarget = z.infer<typeof probeTargetSchema>;

/** A discovery scan pushed to its probe (shared/discovery.ts): SNMP GET of sysDescr per address, paced. */
export const discoveryScanConfigSchema = z.object({
  scanId: z.string().min(1).max(100),
  ranges: z.array(z.string().min(1).max(50)).min(1).max(MAX_SCAN_RANGES),
  port,
  version: z.enum(['v2c', 'v3']),
  community: secret.optional(),
  v3: snmpV3UserSchema.optional(),
  ratePerSec: z.number().int().min(1).max(MAX_SCAN_RATE_PER_SEC),
  timeoutMs,
});
export type DiscoveryScanConfig = z.infer<typeof discoveryScanConfigSchema>;

/** `config.probe`: everything a probe runs. Absent, or no targets and no scans: the agent is no probe. */
export const probeConfigSchema = z.object({
  targets: z.array(probeTargetSchema).max(MAX_TARGETS_PER_PROBE),
  /** Discovery scans to run (each once); absent: none. */
  scans: z.array(discoveryScanConfigSchema).max(MAX_RUNNING_SCANS_PER_PROBE).optional(),
});
export type ProbeConfig = z.infer<typeof probeConfigSchema>;

/** How a check ended: `ok`, `failed` (the device answered wrongly or not at all), or `error` (the check could not run). */
export type CheckState = 'ok' | 'failed' | 'error';

/** The latest outcome of one check, sent with the target's report. */
export interface CheckResult {
  checkId: string;
  state: CheckState;
  /** Plain words for the technician, e.g. "certificate expires in 5 days; chain does not verify: unable to get local issuer certificate". */
  message: string;
}

export const checkResultSchema = z.object({ checkId, state: z.enum(['ok', 'failed', 'error']), message: z.string().max(500) }).strict();

/** REST: POST /api/clients/:id/probed-devices. */
export const createProbedDeviceSchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    kind: z.enum(PROBED_DEVICE_KINDS),
    probeDeviceId: z.string().min(1).max(100),
    intervalMs: z.number().int().min(1_000).max(3_600_000).optional(),
    checks: probeChecksSchema,
  })
  .strict();
export type CreateProbedDevice = z.infer<typeof createProbedDeviceSchema>;

/** REST: PUT /api/devices/:id/probe (fields absent stay as they are). */
export const updateProbedDeviceSchema = z
  .object({
    probeDeviceId: z.string().min(1).max(100).optional(),
    intervalMs: z.number().int().min(1_000).max(3_600_000).optional(),
    checks: probeChecksSchema.optional(),
  })
  .strict();
export type UpdateProbedDevice = z.infer<typeof updateProbedDeviceSchema>;

/** REST: GET /api/devices/:id/probe. */
export interface ProbedDeviceInfo {
  deviceId: string;
  kind: ProbedDeviceKind;
  probeDeviceId: string;
  probeHostname: string | null;
  /** The probe's agent is connected; false: the device's state is unknown. */
  isProbeOnline: boolean;
  intervalMs: number;
  checks: ProbeCheck[];
  /** Latest result per check, as the probe last reported it. */
  results: (CheckResult & { tsMs: number })[];
  /** Ids of the checks with a stored (encrypted, write-only) SNMP credential. */
  credentialChecks: string[];
}
