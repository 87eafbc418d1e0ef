/**
 * The public URL: where technicians' phones reach the server, used by every link in
 * notifications (acknowledge, open the device) and in install commands. Refused when it cannot
 * be a base for links (not http(s), a path, credentials, a query); warned about, not refused,
 * when it is a loopback or private address or does not resolve from here (air-gapped installs
 * exist, and a VPN-only address can be right).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** The URL normalised (`https://monitor.example.com`, no trailing slash), or why it cannot be one. */
export function parsePublicUrl(raw: string): { url: string } | { error: string } {
  const text = raw.trim();
  if (!URL.canParse(text)) return { error: `"${text}" is not a URL; give one such as https://monitor.example.com` };
  const u = new URL(text);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { error: `the public URL must start with https:// or http://, not ${u.protocol}//` };
  if (u.username || u.password) return { error: 'the public URL must not contain a user name or password (user:password@)' };
  if (u.pathname !== '/' && u.pathname !== '')
    return { error: `the public URL must not have a path (${u.pathname}); serve Quarkpulse at the root of its own host name` };
  if (u.search || u.hash) return { error: 'the public URL must not have a query (?…) or fragment (#…)' };
  return { url: `${u.protocol}//${u.host}` };
}

/** True for names and addresses only this machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h) || h === '0.0.0.0';
}

/** True for addresses of private networks (RFC 1918, CGNAT, link-local, IPv6 ULA) and .local names. */
export function isPrivateHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h.endsWith('.local') || h.endsWith('.lan') || h.endsWith('.internal') || h.endsWith('.home.arpa')) return true;
  if (isIP(h) === 4) {
    const [a, b] = h.split('.').map(Number) as [number, number];
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(h) === 6) return /^f[cd]/.test(h) || /^fe[89ab]/.test(h);
  return false;
}

/** Warnings about a valid public URL, in plain words; empty when it looks reachable from anywhere. */
export async function publicUrlWarnings(url: string, resolve: (host: string) => Promise<unknown> = (h) => lookup(h)): Promise<string[]> {
  const host = new URL(url).hostname;
  if (isLoopbackHost(host))
    return [`${host} is this machine only (loopback): links in alert mails and install commands will not open on a phone or another PC`];
  const out: string[] = [];
  if (isPrivateHost(host)) out.push(`${host} is a private-network address: links work only inside that network or over its VPN`);
  if (isIP(host.replace(/^\[|\]$/g, '')) === 0) {
    try {
      await Promise.race([resolve(host), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 3_000).unref())]);
    } catch {
      out.push(`${host} does not resolve from this server: check the DNS name (fine for an air-gapped install whose clients resolve it)`);
    }
  }
  if (url.startsWith('http://') && out.length === 0) out.push('plain http: passwords and acknowledge links travel unencrypted; put the server behind HTTPS');
  return out;
}
