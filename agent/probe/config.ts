/**
 * Hand-written checks of `config.probe` as pushed by the server (shared/probe.ts has the zod
 * schemas; the agent does not load zod). A target or check this agent cannot run makes the whole
 * config frame unusable, with the path of the offending field in the message.
 */
import {
  MAX_CHECKS_PER_TARGET,
  MAX_SNMP_OIDS,
  MAX_TARGETS_PER_PROBE,
  OID_NAME_PATTERN,
  PROBE_CHECK_TYPES,
  PROBED_DEVICE_KINDS,
  SNMP_TEMPLATES,
  oidProblem,
} from '../../shared/probe-constants.js';
import type { ProbeConfig } from '../../shared/probe.js';
import { MAX_RUNNING_SCANS_PER_PROBE, MAX_SCAN_ADDRESSES, MAX_SCAN_RANGES, MAX_SCAN_RATE_PER_SEC } from '../../shared/discovery-constants.js';
import { checkScanRanges } from '../../shared/ipv4-ranges.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
const isText = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const HOST = /^[A-Za-z0-9.:_-]{1,253}$/;
const CHECK_ID = /^[a-z0-9][a-z0-9_-]{0,39}$/;

/** The OID list of an `oids` check (and only of it). */
function oidsProblem(template: unknown, oids: unknown): string | undefined {
  if (template !== 'oids') return 'oids: only the oids template reads a list of OIDs';
  if (!Array.isArray(oids) || oids.length < 1 || oids.length > MAX_SNMP_OIDS) return `oids: a list of 1–${MAX_SNMP_OIDS} { oid, name }`;
  const names = new Set<unknown>();
  for (let k = 0; k < oids.length; k++) {
    const o: unknown = oids[k];
    if (!isObject(o)) return `oids.${k}: must be an object { oid, name }`;
    const problem = oidProblem(o.oid);
    if (problem) return `oids.${k}.oid: ${problem}`;
    if (typeof o.name !== 'string' || !OID_NAME_PATTERN.test(o.name)) return `oids.${k}.name: 1–40 lower-case letters, digits, ., - and _`;
    if (names.has(o.name)) return `oids.${k}.name: "${o.name}" is used twice`;
    names.add(o.name);
  }
  return undefined;
}

function checkProblem(c: unknown): string | undefined {
  if (!isObject(c)) return 'must be an object';
  if (typeof c.id !== 'string' || !CHECK_ID.test(c.id)) return 'id: lower-case letters, digits, - and _ (1–40)';
  if (!(PROBE_CHECK_TYPES as readonly unknown[]).includes(c.type)) return `type: must be one of ${PROBE_CHECK_TYPES.join(', ')}`;
  if (c.timeoutMs !== undefined && !isInt(c.timeoutMs, 100, 30_000)) return 'timeoutMs: an integer 100–30000';
  const hostOk = typeof c.host === 'string' && HOST.test(c.host);
  switch (c.type) {
    case 'ping':
      if (!hostOk) return 'host: a host name or IP address';
      if (c.count !== undefined && !isInt(c.count, 1, 10)) return 'count: an integer 1–10';
      if (c.fallbackPort !== undefined && !isInt(c.fallbackPort, 1, 65_535)) return 'fallbackPort: a port 1–65535';
      return undefined;
    case 'tcp':
      if (!hostOk) return 'host: a host name or IP address';
      return isInt(c.port, 1, 65_535) ? undefined : 'port: a port 1–65535';
    case 'http':
      if (!isText(c.url, 1, 2_000) || !/^https?:\/\//i.test(c.url)) return 'url: an http:// or https:// address';
      if (c.keyword !== undefined && !isText(c.keyword, 1, 200)) return 'keyword: 1–200 characters';
      if (c.maxRedirects !== undefined && !isInt(c.maxRedirects, 0, 10)) return 'maxRedirects: an integer 0–10';
      for (const k of ['expectStatusMin', 'expectStatusMax']) if (c[k] !== undefined && !isInt(c[k], 100, 599)) return `${k}: an HTTP status 100–599`;
      if (c.caPem !== undefined && !isText(c.caPem, 1, 64_000)) return 'caPem: a PEM certificate';
      return undefined;
    case 'tls':
      if (!hostOk) return 'host: a host name or IP address';
      if (c.port !== undefined && !isInt(c.port, 1, 65_535)) return 'port: a port 1–65535';
      if (c.serverName !== undefined && !(typeof c.serverName === 'string' && HOST.test(c.serverName))) return 'serverName: a host name';
      if (c.caPem !== undefined && !isText(c.caPem, 1, 64_000)) return 'caPem: a PEM certificate';
      return undefined;
    case 'snmp':
      if (!hostOk) return 'host: a host name or IP address';
      if (c.port !== undefined && !isInt(c.port, 1, 65_535)) return 'port: a port 1–65535';
      if (!(SNMP_TEMPLATES as readonly unknown[]).includes(c.template)) return `template: one of ${SNMP_TEMPLATES.join(', ')}`;
      if (c.template === 'oids' || c.oids !== undefined) {
        const problem = oidsProblem(c.template, c.oids);
        if (problem) return problem;
      }
      if (c.version === 'v2c') return isText(c.community, 1, 200) ? undefined : 'community: needed for v2c';
      if (c.version !== 'v3') return 'version: v2c or v3';
      if (!isObject(c.v3) || !isText(c.v3.user, 1, 100) || !isText(c.v3.authKey, 8, 200) || !isText(c.v3.privKey, 8, 200))
        return 'v3: needs user, authKey and privKey (8–200 characters)';
      if (c.v3.authProtocol !== undefined && !['sha', 'sha256', 'md5'].includes(c.v3.authProtocol as string)) return 'v3.authProtocol: sha, sha256 or md5';
      if (c.v3.privProtocol !== undefined && !['aes', 'des'].includes(c.v3.privProtocol as string)) return 'v3.privProtocol: aes or des';
      return undefined;
    default: // dns
      if (!(typeof c.name === 'string' && HOST.test(c.name))) return 'name: a host name';
      if (c.recordType !== undefined && c.recordType !== 'A' && c.recordType !== 'AAAA') return 'recordType: A or AAAA';
      if (c.server !== undefined && !isText(c.server, 1, 100)) return 'server: an address';
      if (c.expectAddress !== undefined && !isText(c.expectAddress, 1, 100)) return 'expectAddress: an address';
      return undefined;
  }
}

/** Why `config.probe` is unusable, or undefined. */
export function probeConfigProblem(raw: unknown): string | undefined {
  if (!isObject(raw) || !Array.isArray(raw.targets)) return 'config.probe: must be an object with a list of targets';
  if (raw.targets.length > MAX_TARGETS_PER_PROBE) return `config.probe.targets: at most ${MAX_TARGETS_PER_PROBE}`;
  for (let i = 0; i < raw.targets.length; i++) {
    const t: unknown = raw.targets[i];
    const at = `config.probe.targets.${i}`;
    if (!isObject(t)) return `${at}: must be an object`;
    if (!isText(t.deviceId, 1, 100)) return `${at}.deviceId: must be a device id`;
    if (!(PROBED_DEVICE_KINDS as readonly unknown[]).includes(t.kind)) return `${at}.kind: must be one of ${PROBED_DEVICE_KINDS.join(', ')}`;
    if (!isInt(t.intervalMs, 1_000, 3_600_000)) return `${at}.intervalMs: an integer 1000–3600000`;
    if (!Array.isArray(t.checks) || t.checks.length > MAX_CHECKS_PER_TARGET) return `${at}.checks: a list of at most ${MAX_CHECKS_PER_TARGET}`;
    for (let j = 0; j < t.checks.length; j++) {
      const problem = checkProblem(t.checks[j]);
      if (problem) return `${at}.checks.${j}.${problem}`;
    }
  }
  return raw.scans === undefined ? undefined : scansProblem(raw.scans);
}

/** Why `config.probe.scans` (discovery scans) is unusable, or undefined. */
function scansProblem(scans: unknown): string | undefined {
  if (!Array.isArray(scans) || scans.length > MAX_RUNNING_SCANS_PER_PROBE) return `config.probe.scans: a list of at most ${MAX_RUNNING_SCANS_PER_PROBE}`;
  for (let i = 0; i < scans.length; i++) {
    const s: unknown = scans[i];
    const at = `config.probe.scans.${i}`;
    if (!isObject(s)) return `${at}: must be an object`;
    if (!isText(s.scanId, 1, 100)) return `${at}.scanId: must be a scan id`;
    if (!Array.isArray(s.ranges) || s.ranges.length === 0 || s.ranges.length > MAX_SCAN_RANGES) return `${at}.ranges: a list of 1–${MAX_SCAN_RANGES} ranges`;
    const checked = s.ranges.every((r) => typeof r === 'string') ? checkScanRanges(s.ranges as string[], MAX_SCAN_ADDRESSES) : undefined;
    if (!checked) return `${at}.ranges: must be strings`;
    if ('problem' in checked) return `${at}.ranges.${checked.index}: ${checked.problem}`;
    if (!isInt(s.port, 1, 65_535)) return `${at}.port: a port 1–65535`;
    if (!isInt(s.ratePerSec, 1, MAX_SCAN_RATE_PER_SEC)) return `${at}.ratePerSec: an integer 1–${MAX_SCAN_RATE_PER_SEC}`;
    if (!isInt(s.timeoutMs, 100, 30_000)) return `${at}.timeoutMs: an integer 100–30000`;
    const credential = checkProblem({
      id: 'scan',
      type: 'snmp',
      host: '127.0.0.1',
      template: SNMP_TEMPLATES[0],
      version: s.version,
      community: s.community,
      v3: s.v3,
    });
    if (credential) return `${at}.${credential}`;
  }
  return undefined;
}

/** A copy of a config that probeConfigProblem accepted. */
export function pickProbeConfig(raw: unknown): ProbeConfig {
  return JSON.parse(JSON.stringify(raw)) as ProbeConfig;
}
