/** What a fresh install shows instead of an empty table: how to enroll the first agent. */
import { AGENT_BUNDLE, commandSet } from '../../lib/install-commands.js';
import { CopyCommand } from '../../ui/copy-command.js';

export function FleetEmpty() {
  const quick = commandSet(window.location.origin, '<token>', 'unix').commands;
  return (
    <section class="empty-state" data-testid="fleet-empty" aria-labelledby="empty-title">
      <h2 id="empty-title">No agents yet — here is how to install one</h2>
      <ol class="steps">
        <li>
          <p>
            On <a href="#/clients">Clients</a>, add the client the machine belongs to and create an enrollment token for it.
          </p>
        </li>
        <li>
          <p>On the machine (Node.js 20+), enroll the agent with that token; the client page shows the Windows commands too:</p>
          <CopyCommand command={quick[0]!} testId="enroll-command" />
        </li>
        <li>
          <p>
            Start it. To run it as a service, build the one-file agent with <code>npm run build:agent</code> ({AGENT_BUNDLE}) and use the installers in{' '}
            <code>scripts/install/</code>; the client page has their commands with the token filled in.
          </p>
          <CopyCommand command={quick[1]!} testId="run-command" />
        </li>
      </ol>
      <p class="muted">The device appears here, live, within seconds of its first report.</p>
    </section>
  );
}
