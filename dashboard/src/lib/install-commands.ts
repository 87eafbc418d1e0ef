/**
 * The copy-paste commands that enroll and start an agent with a fresh enrollment token: on Linux
 * one line that fetches this server's install.sh (it downloads the self-contained executable,
 * checks its sha256 and signature, installs the service, enrolls and starts; the token travels in
 * the environment, not in argv), the same for Windows with install.ps1, and the packaged installers of a release tree
 * (scripts/install/<os>/) for Linux, Windows and macOS, which run the single-file bundle as a service. The
 * release-tree lines pass the token in QP_TOKEN too: every installer refuses --token / -Token (argv is visible to other users).
 */

/** One titled set of commands. */
export interface CommandSet {
  id: string;
  title: string;
  commands: string[];
  note: string;
}

/**
 * `value` as one word of a POSIX shell command (sh, bash, zsh): as is when it holds only
 * characters no shell treats specially, else in single quotes (a `'` inside becomes `'\''`).
 * So an ordinary origin such as `https://monitor.example.nl:8443` reads unchanged, while
 * `http://[::1]:8080` (a glob to zsh) or a URL with `&` or a space still arrives as one argument.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+:,./-][A-Za-z0-9_@%+=:,./-]*$/.test(value)) return value;
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * `value` as a PowerShell single-quoted string. PowerShell reads the typographic quotes
 * ‘ ’ ‚ ‛ as `'` too; each of them is doubled, which is how a quote stands inside such a string.
 */
export function powerShellString(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;
}

/** Where `npm run build:agent` writes the bundle (scripts/build-agent.mjs). */
export const AGENT_BUNDLE = 'dist/agent/quarkpulse-agent.mjs';

/** Commands for enrolling a machine against `serverUrl` with `token`. */
export function installCommands(serverUrl: string, token: string): CommandSet[] {
  const sh = { server: shellWord(serverUrl), token: shellWord(token) };
  const ps = { server: powerShellString(serverUrl), token: powerShellString(token) };
  return [
    {
      id: 'linux',
      title: 'Linux (x64, arm64): one line',
      commands: [`curl -fsSL ${shellWord(`${serverUrl.replace(/\/+$/, '')}/install.sh`)} | sudo QP_TOKEN=${sh.token} sh`],
      note: 'Downloads the agent executable from this server (no Node.js needed), checks its sha256 and signature, installs it as a service running as the user quarkpulse, enrolls and starts it. Run it again to upgrade; add "-s -- --uninstall" to remove.',
    },
    {
      id: 'windows',
      title: 'Windows (x64): one line in an elevated PowerShell',
      commands: [`$env:QP_TOKEN = ${ps.token}; irm ${powerShellString(`${serverUrl.replace(/\/+$/, '')}/install.ps1`)} | iex`],
      note: 'Downloads the agent executable from this server, checks its size, sha256 and Ed25519 signature (with the key of this server, which the script carries) before it runs, installs it as a service running as LocalService, enrolls and starts it. Run it again to upgrade; run it with -Uninstall to remove.',
    },
    {
      id: 'linux-release',
      title: 'Linux service from a release tree (systemd)',
      commands: [`sudo QP_TOKEN=${sh.token} scripts/install/linux/install.sh --server ${sh.server}`],
      note: 'Runs as the system user quarkpulse. The script finds the bundle in dist/agent/ of the same release (or next to itself; else --bundle FILE). Add --ca ca.pem for a private CA, --dry-run to see the steps.',
    },
    {
      id: 'windows-release',
      title: 'Windows service from a release tree (elevated PowerShell)',
      commands: [
        `$env:QP_TOKEN = ${ps.token}; powershell -ExecutionPolicy Bypass -File .\\scripts\\install\\windows\\install.ps1 -Server ${ps.server} -Bundle .\\dist\\agent\\quarkpulse-agent.mjs`,
      ],
      note: 'Runs as LocalService (-RunAsSystem for the Windows Update count). Without -Bundle the script looks for quarkpulse-agent.mjs next to itself. Add -Ca C:\\path\\ca.pem for a private CA.',
    },
    {
      id: 'macos',
      title: 'macOS service from a release tree (launchd)',
      commands: [`sudo QP_TOKEN=${sh.token} scripts/install/macos/install.sh --server ${sh.server}`],
      note: 'Runs as the hidden user _quarkpulse. Same --bundle, --ca and --dry-run options as on Linux.',
    },
  ];
}

/** One set by id (e.g. `unix`); throws on an unknown id, which is a programming error. */
export function commandSet(serverUrl: string, token: string, id: string): CommandSet {
  const set = installCommands(serverUrl, token).find((s) => s.id === id);
  if (!set) throw new Error(`no install command set "${id}"`);
  return set;
}

/**
 * The one line that enrolls an installed agent again (a machine this server refused after a
 * restore from an older backup): install.sh --reenroll, or install.ps1 -Reenroll on Windows.
 * `platform` is what the agent said (linux-x64, windows-x64, …); unknown gives the Linux line.
 */
export function reenrollCommand(serverUrl: string, token: string, platform: string | null): string {
  const base = serverUrl.replace(/\/+$/, '');
  if (platform?.startsWith('windows')) {
    return `$env:QP_TOKEN = ${powerShellString(token)}; & ([scriptblock]::Create((irm ${powerShellString(`${base}/install.ps1`)}))) -Reenroll`;
  }
  return `curl -fsSL ${shellWord(`${base}/install.sh`)} | sudo QP_TOKEN=${shellWord(token)} sh -s -- --reenroll`;
}
