/**
 * Discovery: a probe scans ranges of its client's network for devices that answer SNMP, and the
 * server lists what it found (with sysDescr) for adoption in one click. The zod-free limits and
 * types are in discovery-constants.ts (the agent imports those); these schemas validate REST input
 * and the agent's `discoveryResult` frames.
 *
 *   technician ─POST scan─▶ server ─ config.probe.scans ─▶ probe: SNMP GET per address, paced
 *   dashboard ◀─ GET scans ─ server ◀─ discoveryResult { scanId, scanned, found[], isDone } ─┘
 */
import { z } from 'zod';
import { checkScanRanges } from './ipv4-ranges.js';
import { snmpV3UserSchema } from './probe.js';
import { PROBED_DEVICE_KINDS } from './probe-constants.js';
import {
  DISCOVERY_KIND_GUESSES,
  DISCOVERY_REFUSALS,
  MAX_FOUND_PER_FRAME,
  MAX_SCAN_ADDRESSES,
  MAX_SCAN_RANGES,
  MAX_SCAN_RATE_PER_SEC,
  MAX_SYS_DESCR_CHARS,
} from './discovery-constants.js';

export * from './discovery-constants.js';

const id = z.string().min(1).max(100);

/** REST: POST /api/clients/:id/discovery-scans. */
export const createDiscoveryScanSchema = z
  .object({
    probeDeviceId: id,
    /** Addresses or CIDR blocks inside 10/8, 172.16/12, 192.168/16 or 127/8. */
    ranges: z
      .array(z.string().trim().min(1).max(50))
      .min(1)
      .max(MAX_SCAN_RANGES)
      .superRefine((texts, ctx) => {
        const r = checkScanRanges(texts, MAX_SCAN_ADDRESSES);
        if ('problem' in r) ctx.addIssue({ code: 'custom', path: [r.index], message: r.problem, params: { code: 'SCAN_RANGE_REFUSED' } });
      }),
    port: z.number().int().min(1).max(65_535).optional(),
    version: z.enum(['v2c', 'v3']),
    community: z.string().min(1).max(200).optional(),
    v3: snmpV3UserSchema.optional(),
    /** Addresses tried per second (1–100, default 20). */
    ratePerSec: z.number().int().min(1).max(MAX_SCAN_RATE_PER_SEC).optional(),
    /** How long one address may take to answer, ms (200–5,000, default 1,000). */
    timeoutMs: z.number().int().min(200).max(5_000).optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.version === 'v2c' && s.community === undefined)
      ctx.addIssue({ code: 'custom', path: ['community'], message: 'a v2c scan needs the community', params: { code: 'SNMP_CREDENTIAL_MISSING' } });
    if (s.version === 'v3' && s.v3 === undefined)
      ctx.addIssue({ code: 'custom', path: ['v3'], message: 'a v3 scan needs its user, authKey and privKey', params: { code: 'SNMP_CREDENTIAL_MISSING' } });
  });
export type CreateDiscoveryScan = z.infer<typeof createDiscoveryScanSchema>;

/** REST: POST /api/discovery-scans/:id/found/:address/adopt. */
export const adoptDiscoveredSchema = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    kind: z.enum(PROBED_DEVICE_KINDS).optional(),
    intervalMs: z.number().int().min(1_000).max(3_600_000).optional(),
  })
  .strict();
export type AdoptDiscovered = z.infer<typeof adoptDiscoveredSchema>;

/** One device that answered. */
export const foundDeviceSchema = z
  .object({
    address: z.string().min(7).max(15),
    sysDescr: z.string().max(MAX_SYS_DESCR_CHARS),
    sysName: z.string().max(255).optional(),
    sysObjectId: z
      .string()
      .max(200)
      .regex(/^[0-9]+(\.[0-9]+)*$/)
      .optional(),
    kindGuess: z.enum(DISCOVERY_KIND_GUESSES).optional(),
    refusal: z.enum(DISCOVERY_REFUSALS).optional(),
  })
  .strict();

/** Agent → server: progress of a scan, and the devices found since the last frame. */
export const discoveryResultSchema = z
  .object({
    type: z.literal('discoveryResult'),
    v: z.literal(1),
    scanId: id,
    /** Addresses tried so far, and in all. */
    scanned: z.number().int().min(0).max(MAX_SCAN_ADDRESSES),
    total: z.number().int().min(0).max(MAX_SCAN_ADDRESSES),
    found: z.array(foundDeviceSchema).max(MAX_FOUND_PER_FRAME),
    /** The last frame of this scan. */
    isDone: z.boolean(),
  })
  .strict();
export type DiscoveryResult = z.infer<typeof discoveryResultSchema>;
