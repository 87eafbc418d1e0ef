/** The copy-paste commands that enroll and start an agent with a fresh enrollment token. */

export interface InstallCommands {
  /** Linux and macOS shells (no curl needed: npx fetches the agent). */
  unix: string[];
  /** Windows PowerShell; `npx.cmd` works under the default script execution policy, `npx.ps1` may not. */
  windows: string[];
}

/** Commands for enrolling a machine against `serverUrl` with `token`. */
export function installCommands(serverUrl: string, token: string): InstallCommands {
  return {
    unix: [`npx quarkpulse agent enroll --server ${serverUrl} --token ${token}`, 'npx quarkpulse agent run'],
    windows: [`npx.cmd quarkpulse agent enroll --server '${serverUrl}' --token '${token}'`, 'npx.cmd quarkpulse agent run'],
  };
}
