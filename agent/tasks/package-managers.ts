/**
 * Package managers for the update tasks: which one a machine has, the read-only scan command and
 * its parser, and how each install scope is carried out. Parsers are pure and tested on recorded
 * output of each tool (tests/jobs/fixtures/); apt is also tested for real.
 */

/** One pending update. */
export interface PendingUpdate {
  /** Package name, Windows KB id (or title), macOS label. */
  readonly name: string;
  readonly fromVersion?: string;
  readonly toVersion?: string;
  readonly isSecurity: boolean;
}

/** The update mechanisms the tasks know. */
export type PackageManagerName = 'apt' | 'dnf' | 'zypper' | 'windows-update' | 'softwareupdate';

const MAX_UPDATES = 500;

/** `apt-get -s upgrade`: `Inst name [old] (new suite [arch])`; a suite with "security" is a security update. */
export function parseAptScan(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = [];
  for (const line of text.split('\n')) {
    const m = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) ([^)]*)\)/.exec(line);
    if (!m) continue;
    out.push({ name: m[1]!, ...(m[2] ? { fromVersion: m[2] } : {}), toVersion: m[3]!, isSecurity: /security/i.test(m[4]!) });
  }
  return out.slice(0, MAX_UPDATES);
}

/**
 * `dnf -q check-update` (exit 100 when updates exist): `name.arch  version  repo`, and the
 * security advisories of `dnf -q updateinfo list --security`: `ADVISORY  Type/Sev  name-version.arch`.
 */
export function parseDnfScan(checkUpdate: string, securityList: string): PendingUpdate[] {
  const securityNevras = securityList
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[2])
    .filter((x): x is string => !!x);
  const out: PendingUpdate[] = [];
  for (const line of checkUpdate.split('\n')) {
    if (/^(Obsoleting|Security:)/i.test(line)) break;
    const cols = line.trim().split(/\s+/);
    if (cols.length !== 3 || !cols[0]!.includes('.')) continue;
    const [nameArch, version] = cols as [string, string, string];
    const name = nameArch.slice(0, nameArch.lastIndexOf('.'));
    const arch = nameArch.slice(nameArch.lastIndexOf('.') + 1);
    const isSecurity = securityNevras.some((n) => n.startsWith(`${name}-`) && n.endsWith(`.${arch}`));
    out.push({ name, toVersion: version, isSecurity });
  }
  return out.slice(0, MAX_UPDATES);
}

/** `zypper -q list-updates` table (`v | repo | name | current | available | arch`); zypper marks security per patch, not per package. */
export function parseZypperScan(listUpdates: string): PendingUpdate[] {
  const out: PendingUpdate[] = [];
  for (const line of listUpdates.split('\n')) {
    const cols = line.split('|').map((c) => c.trim());
    if (cols.length < 6 || cols[0] !== 'v') continue;
    out.push({ name: cols[2]!, fromVersion: cols[3]!, toVersion: cols[4]!, isSecurity: false });
  }
  return out.slice(0, MAX_UPDATES);
}

/** Needed security patches in `zypper -q list-patches --category security` (`repo | name | category | severity | … | needed | …`). */
export function parseZypperSecurityPatches(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.split('|').map((c) => c.trim()))
    .filter((c) => c.length >= 6 && /^security$/i.test(c[2] ?? '') && c.some((x) => /^needed$/i.test(x)))
    .map((c) => c[1]!);
}

/** The PowerShell that lists pending Windows updates as JSON (Windows Update Agent COM API). */
export const WINDOWS_SCAN_SCRIPT =
  '$ErrorActionPreference="Stop";$s=(New-Object -ComObject Microsoft.Update.Session).CreateUpdateSearcher();' +
  '$r=$s.Search("IsInstalled=0 and IsHidden=0");' +
  '@($r.Updates | ForEach-Object { [pscustomobject]@{ Title=$_.Title; KB=@($_.KBArticleIDs); Severity=$_.MsrcSeverity; Categories=@($_.Categories | ForEach-Object { $_.Name }) } }) | ConvertTo-Json -Depth 3 -Compress';

/** The JSON printed by WINDOWS_SCAN_SCRIPT (one object, or a list, or nothing). */
export function parseWindowsScan(text: string): PendingUpdate[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  const raw = JSON.parse(trimmed) as unknown;
  const list = (Array.isArray(raw) ? raw : [raw]) as { Title?: string; KB?: string[]; Severity?: string | null; Categories?: string[] }[];
  return list.slice(0, MAX_UPDATES).map((u) => ({
    name: u.KB && u.KB.length > 0 ? `KB${u.KB[0]}` : (u.Title ?? 'unnamed update').slice(0, 200),
    ...(u.Title ? { toVersion: u.Title.slice(0, 200) } : {}),
    isSecurity: (u.Categories ?? []).some((c) => /security/i.test(c)) || /critical|important/i.test(u.Severity ?? ''),
  }));
}

/**
 * The PowerShell that installs Windows updates: `scope` all / security / a list of KB ids (already
 * validated as safe names). Prints one line per installed update and a JSON summary last; exits 1
 * when an update failed, 3010 when a reboot is required.
 */
export function windowsInstallScript(scope: 'all' | 'security' | 'list', kbs: readonly string[] = []): string {
  const filter =
    scope === 'all'
      ? '$true'
      : scope === 'security'
        ? '(@($_.Categories | ForEach-Object { $_.Name }) -match "Security").Count -gt 0'
        : `@(${kbs.map((k) => `'${k.replace(/^KB/i, '')}'`).join(',')}) -contains [string]$_.KBArticleIDs[0]`;
  return (
    '$ErrorActionPreference="Stop";$session=New-Object -ComObject Microsoft.Update.Session;' +
    '$r=$session.CreateUpdateSearcher().Search("IsInstalled=0 and IsHidden=0");' +
    '$todo=New-Object -ComObject Microsoft.Update.UpdateColl;' +
    `$r.Updates | Where-Object { ${filter} } | ForEach-Object { if (-not $_.EulaAccepted) { $_.AcceptEula() }; [void]$todo.Add($_) };` +
    'if ($todo.Count -eq 0) { Write-Output "{\\"installed\\":0}"; exit 0 };' +
    '$d=$session.CreateUpdateDownloader();$d.Updates=$todo;[void]$d.Download();' +
    '$i=$session.CreateUpdateInstaller();$i.Updates=$todo;$res=$i.Install();' +
    'for ($n=0; $n -lt $todo.Count; $n++) { Write-Output ("{0}: {1}" -f $todo.Item($n).Title, $res.GetUpdateResult($n).ResultCode) };' +
    'Write-Output (@{installed=$todo.Count; resultCode=$res.ResultCode; rebootRequired=$res.RebootRequired} | ConvertTo-Json -Compress);' +
    'if ($res.ResultCode -ne 2) { exit 1 } elseif ($res.RebootRequired) { exit 3010 } else { exit 0 }'
  );
}

/** `softwareupdate -l` (macOS): `* Label: NAME` then a `Title: …, Version: …, Recommended: YES` line. */
export function parseSoftwareUpdateScan(text: string): PendingUpdate[] {
  const out: PendingUpdate[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*\*\s*(?:Label:\s*)?(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const detail = lines[i + 1] ?? '';
    const version = /Version:\s*([^,]+)/.exec(detail)?.[1]?.trim();
    out.push({ name: m[1]!.trim(), ...(version ? { toVersion: version } : {}), isSecurity: /security/i.test(m[1]!) || /Title:[^,]*Security/i.test(detail) });
  }
  return out.slice(0, MAX_UPDATES);
}

/** True when package-manager output says another process holds its lock (nothing was changed). */
export function isLockBusy(output: string): boolean {
  return /Could not get lock|Unable to acquire the dpkg frontend lock|is another process using it|Waiting for process with pid|System management is locked by the application/i.test(
    output,
  );
}
