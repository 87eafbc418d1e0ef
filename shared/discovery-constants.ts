/**
 * The zod-free half of shared/discovery.ts: limits, kinds and the shapes of a scan, for the agent
 * (which does not load zod) and the dashboard.
 */
import type { ProbedDeviceKind } from './probe-constants.js';

/** Most addresses one scan covers (a /22), ranges per scan, and scans a probe runs at once. */
export const MAX_SCAN_ADDRESSES = 1_024;
export const MAX_SCAN_RANGES = 16;
export const MAX_RUNNING_SCANS_PER_PROBE = 2;
/** Pace of a scan: addresses tried per second. */
export const DEFAULT_SCAN_RATE_PER_SEC = 20;
export const MAX_SCAN_RATE_PER_SEC = 100;
/** How long one address may take to answer, ms. */
export const DEFAULT_SCAN_TIMEOUT_MS = 1_000;
/** Most found devices in one `discoveryResult` frame; sysDescr is cut to this length. */
export const MAX_FOUND_PER_FRAME = 100;
export const MAX_SYS_DESCR_CHARS = 500;

/** What a found device looks like to the probe: a printer (Printer-MIB answers), a UPS (UPS-MIB), or a guess from sysDescr. */
export const DISCOVERY_KIND_GUESSES = ['printer', 'ups', 'switch', 'firewall', 'nas'] as const satisfies readonly ProbedDeviceKind[];
export type DiscoveryKindGuess = (typeof DISCOVERY_KIND_GUESSES)[number];

/**
 * Why a device that answers SNMPv3 refused the scan's credential: it reported an unknown user
 * name or a wrong digest (auth key or protocol), or it answered the engine discovery but not the
 * encrypted request (privacy key or protocol).
 */
export const DISCOVERY_REFUSALS = ['unknown-user', 'wrong-auth', 'wrong-privacy'] as const;
export type DiscoveryRefusal = (typeof DISCOVERY_REFUSALS)[number];

/** A device that answered a scan. */
export interface FoundDevice {
  address: string;
  /** Empty for a device that refused the credential (nothing could be read). */
  sysDescr: string;
  sysName?: string;
  sysObjectId?: string;
  kindGuess?: DiscoveryKindGuess;
  /** It answers SNMPv3 but refuses this credential: listed, not adoptable with it. */
  refusal?: DiscoveryRefusal;
}

/** States of a scan: running on the probe, done, given up after its time limit, or cancelled by a person. */
export const SCAN_STATES = ['running', 'done', 'expired', 'cancelled'] as const;
export type ScanState = (typeof SCAN_STATES)[number];

/** REST: a scan and what it found (GET /api/clients/:id/discovery-scans). Credentials are never returned. */
export interface DiscoveryScanInfo {
  id: string;
  clientId: string;
  probeDeviceId: string;
  probeHostname: string | null;
  ranges: string[];
  port: number;
  version: 'v2c' | 'v3';
  ratePerSec: number;
  state: ScanState;
  scanned: number;
  total: number;
  createdAtMs: number;
  finishedAtMs: number | null;
  requestedBy: string | null;
  found: (FoundDevice & {
    foundAtMs: number;
    /** The probed device made from it (adopted here), or one the client already has at this address. */
    deviceId: string | null;
    deviceName: string | null;
  })[];
}
