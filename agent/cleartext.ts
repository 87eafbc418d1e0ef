/**
 * Plain http:// to a server that is not on this machine sends the enrollment token and the device
 * credential (and every report) across the network unencrypted: anyone on the path can then write
 * in this device's name. The agent refuses it unless the operator says, with
 * `--allow-insecure-http` or `"allowInsecureHttp": true` in the config, that they accept that.
 * Loopback addresses never leave the machine and are always allowed (`npm start`'s local agent).
 */

/** True for localhost, *.localhost, 127.0.0.0/8 and ::1: names that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h.replace(/^::ffff:/, ''));
  return v4 !== null && Number(v4[1]) === 127 && v4.slice(2).every((o) => Number(o) <= 255);
}

/** True when `serverUrl` is plain http:// to an address that is not loopback. */
export function isCleartextToNetwork(serverUrl: string): boolean {
  let url: URL;
  try {
    url = new URL(serverUrl);
  } catch {
    return false;
  }
  return url.protocol === 'http:' && !isLoopbackHost(url.hostname);
}

/** The refusal for `agent enroll --server`, or undefined when allowed. */
export function enrollCleartextProblem(serverUrl: string, isAllowed: boolean): string | undefined {
  if (isAllowed || !isCleartextToNetwork(serverUrl)) return undefined;
  return (
    `--server ${serverUrl} is plain http:// to another machine: the enrollment token and the device credential would cross the network unencrypted. ` +
    'Use the https:// address of the server, or pass --allow-insecure-http if you accept sending the credential in clear (loopback addresses need neither)'
  );
}

/** The refusal for `agent run` with a config whose serverUrl is cleartext, or undefined when allowed. */
export function runCleartextProblem(configPath: string, serverUrl: string, isAllowed: boolean): string | undefined {
  if (isAllowed || !isCleartextToNetwork(serverUrl)) return undefined;
  return (
    `agent config ${configPath}: serverUrl ${serverUrl} is plain http:// to another machine: the device credential would cross the network unencrypted. ` +
    'Re-enroll with the https:// address of the server, or set "allowInsecureHttp": true in the config (or pass --allow-insecure-http) if you accept sending it in clear'
  );
}
