/** What a fresh install shows instead of an empty table: how to enroll the first agent. */
import { commandSet } from '../../lib/install-commands.js';
import { usePublicUrl } from '../../lib/public-url.js';
import { CopyCommand } from '../../ui/copy-command.js';

export function FleetEmpty() {
  const [oneLine] = commandSet(usePublicUrl(), '<token>', 'linux').commands;
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
          <p>
            On the Linux machine, paste this line with the token in place of &lt;token&gt;; the client page shows it with the token filled in, and the Windows
            and macOS installers:
          </p>
          <CopyCommand command={oneLine!} testId="enroll-command" />
        </li>
      </ol>
      <p class="muted">The device appears here, live, within seconds of its first report.</p>
    </section>
  );
}
