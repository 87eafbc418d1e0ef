/**
 * The copy-paste commands that enroll and start an agent with a fresh enrollment token: a quick
 * `npx` run, and the packaged installers (scripts/install/<os>/, flags as in their usage lines)
 * that run the single-file bundle from `npm run build:agent` as a service.
 */

/** One titled set of commands. */
export interface CommandSet {
  id: string;
  title: string;
  commands: string[];
  note: string;
}

/** Where `npm run build:agent` writes the bundle (scripts/build-agent.mjs). */
export const AGENT_BUNDLE = 'dist/agent/quarkpulse-agent.mjs';

/** Commands for enrolling a machine against `serverUrl` with `token`. */
export function installCommands(serverUrl: string, token: string): CommandSet[] {
  return [
    {
      id: 'linux',
      title: 'Linux service (systemd)',
      commands: [`sudo scripts/install/linux/install.sh --server ${serverUrl} --token ${token}`],
      note: 'Runs as the system user quarkpulse. The script finds the bundle in dist/agent/ of the same release (or next to itself; else --bundle FILE). Add --ca ca.pem for a private CA, --dry-run to see the steps.',
    },
    {
      id: 'windows',
      title: 'Windows service (elevated PowerShell)',
      commands: [
        `powershell -ExecutionPolicy Bypass -File .\\scripts\\install\\windows\\install.ps1 -Server '${serverUrl}' -Token '${token}' -Bundle .\\dist\\agent\\quarkpulse-agent.mjs`,
      ],
      note: 'Runs as LocalService (-RunAsSystem for the Windows Update count). Without -Bundle the script looks for quarkpulse-agent.mjs next to itself. Add -Ca C:\\path\\ca.pem for a private CA.',
    },
    {
      id: 'macos',
      title: 'macOS service (launchd)',
      commands: [`sudo scripts/install/macos/install.sh --server ${serverUrl} --token ${token}`],
      note: 'Runs as the hidden user _quarkpulse. Same --bundle, --ca and --dry-run options as on Linux.',
    },
    {
      id: 'unix',
      title: 'Quick try (Linux, macOS), no service',
      commands: [`npx quarkpulse agent enroll --server ${serverUrl} --token ${token}`, 'npx quarkpulse agent run'],
      note: 'Runs in this terminal until you stop it.',
    },
    {
      id: 'npx-windows',
      title: 'Quick try (Windows PowerShell), no service',
      commands: [`npx.cmd quarkpulse agent enroll --server '${serverUrl}' --token '${token}'`, 'npx.cmd quarkpulse agent run'],
      note: 'npx.cmd works under the default script execution policy; npx.ps1 may not.',
    },
  ];
}

/** One set by id (e.g. `unix`); throws on an unknown id, which is a programming error. */
export function commandSet(serverUrl: string, token: string, id: string): CommandSet {
  const set = installCommands(serverUrl, token).find((s) => s.id === id);
  if (!set) throw new Error(`no install command set "${id}"`);
  return set;
}
