/**
 * IPv4 ranges for discovery scans, zod-free (the agent expands them, the server refuses them).
 * A range is one address (`192.168.1.20`) or a CIDR block (`192.168.1.0/24`). Scans may only
 * cover the client's own private or loopback networks, never the internet:
 *
 *   10.0.0.0/8   172.16.0.0/12   192.168.0.0/16   127.0.0.0/8
 *
 * Blocks of /30 and larger skip their network and broadcast addresses (nothing answers there).
 */

/** The networks a scan may cover. */
export const SCANNABLE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8'] as const;

/** One parsed range: first and last address as unsigned 32-bit numbers, inclusive. */
export interface Ipv4Range {
  text: string;
  first: number;
  last: number;
}

const OCTETS = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The address as a number, or undefined when it is not dotted IPv4. */
export function parseIpv4(text: string): number | undefined {
  const m = OCTETS.exec(text);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = m[i]!;
    if (part.length > 1 && part.startsWith('0')) return undefined; // 010 would be read as octal elsewhere
    const o = Number(part);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

/** Dotted text of an address number. */
export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A range, or the reason it is not one. */
export function parseIpv4Range(text: string): Ipv4Range | string {
  const t = text.trim();
  const [addr, bitsText, ...rest] = t.split('/');
  if (rest.length > 0 || !addr) return `"${t}" is not an IPv4 address or block (e.g. 192.168.1.0/24)`;
  const base = parseIpv4(addr);
  if (base === undefined) return `"${t}" is not an IPv4 address or block (e.g. 192.168.1.0/24)`;
  if (bitsText === undefined) return { text: t, first: base, last: base };
  if (!/^\d{1,2}$/.test(bitsText) || Number(bitsText) > 32) return `"${t}": the prefix length after / must be 0–32`;
  const bits = Number(bitsText);
  const size = 2 ** (32 - bits);
  const first = Math.floor(base / size) * size;
  if (first !== base) return `"${t}" is not the start of a /${bits} block; did you mean ${formatIpv4(first)}/${bits}?`;
  return { text: t, first, last: first + size - 1 };
}

/** The addresses of a range that a scan tries (a block's network and broadcast addresses skipped). */
export function rangeSize(r: Ipv4Range): number {
  const n = r.last - r.first + 1;
  return n >= 4 ? n - 2 : n;
}

function isInside(r: Ipv4Range, network: string): boolean {
  const net = parseIpv4Range(network) as Ipv4Range;
  return r.first >= net.first && r.last <= net.last;
}

/** Undefined when the range lies inside one private or loopback network, else why not. */
export function scannableProblem(r: Ipv4Range): string | undefined {
  if (SCANNABLE_NETWORKS.some((n) => isInside(r, n))) return undefined;
  return `${r.text} is not inside a private or loopback network (${SCANNABLE_NETWORKS.join(', ')}); a scan covers only the client's own network`;
}

/**
 * Parses a scan's ranges and checks them: each scannable, none overlapping, at most `maxAddresses`
 * in all. Answers the ranges, or the first problem with the index of the range it is about.
 */
export function checkScanRanges(
  texts: readonly string[],
  maxAddresses: number,
): { ranges: Ipv4Range[]; addressCount: number } | { index: number; problem: string } {
  const ranges: Ipv4Range[] = [];
  let addressCount = 0;
  for (let i = 0; i < texts.length; i++) {
    const r = parseIpv4Range(texts[i]!);
    if (typeof r === 'string') return { index: i, problem: r };
    const outside = scannableProblem(r);
    if (outside) return { index: i, problem: outside };
    const clash = ranges.find((o) => r.first <= o.last && o.first <= r.last);
    if (clash) return { index: i, problem: `${r.text} overlaps ${clash.text}` };
    ranges.push(r);
    addressCount += rangeSize(r);
    if (addressCount > maxAddresses)
      return {
        index: i,
        problem: `the ranges hold ${addressCount.toLocaleString('en-GB')} or more addresses; a scan covers at most ${maxAddresses.toLocaleString('en-GB')} (e.g. a /22)`,
      };
  }
  return { ranges, addressCount };
}

/** True when `address` is one a scan of `ranges` tries (a block's network and broadcast addresses are not). */
export function isScannedAddress(address: string, ranges: readonly string[]): boolean {
  const n = parseIpv4(address);
  if (n === undefined) return false;
  return ranges.some((text) => {
    const r = parseIpv4Range(text);
    if (typeof r === 'string') return false;
    const skipEnds = r.last - r.first + 1 >= 4;
    return n >= r.first + (skipEnds ? 1 : 0) && n <= r.last - (skipEnds ? 1 : 0);
  });
}

/** Every address a scan tries, in order. */
export function* addressesOf(ranges: readonly Ipv4Range[]): Generator<string> {
  for (const r of ranges) {
    const skipEnds = r.last - r.first + 1 >= 4;
    for (let n = r.first + (skipEnds ? 1 : 0); n <= r.last - (skipEnds ? 1 : 0); n++) yield formatIpv4(n);
  }
}
