/**
 * Machines this server refused because it does not know their credential — after restoring an
 * older backup, the ones enrolled since — each with the one line that enrolls it again
 * (docs/OPERATIONS.md §9). Shown above the fleet only while there are any.
 */
import { useApp } from '../../lib/app-context.js';
import { formatRelative } from '../../lib/format.js';
import { useAction, useLoad, useNow } from '../../lib/hooks.js';
import { reenrollCommand } from '../../lib/install-commands.js';
import { usePublicUrl } from '../../lib/public-url.js';
import { CopyCommand } from '../../ui/copy-command.js';

export function RefusedAgentsPanel() {
  const { api } = useApp();
  const refused = useLoad(() => api.listRefusedAgents(), []);
  const action = useAction();
  const publicUrl = usePublicUrl();
  const nowMs = useNow(30_000);
  const list = refused.data ?? [];
  if (list.length === 0) return null;
  return (
    <div class="panel refused-agents" data-testid="refused-agents">
      <h2>Agents that need re-enrollment ({list.length})</h2>
      <p class="muted">
        These machines connect with a credential this server does not know, for example because the database was restored from a backup older than their
        enrollment. Create an enrollment token on the client's page and run the line on each machine with that token in place of qpe_….
      </p>
      {list.map((r) => (
        <div key={r.id} class="command-set" data-testid="refused-agent">
          <h3>
            {r.hostname ?? 'unknown host'} <span class="muted">{r.platform ?? ''}</span>
          </h3>
          <p class="muted">
            Device id {r.deviceId ?? 'unknown'}
            {r.isKnownDevice ? ' (known here: its credential changed after the backup)' : ''} · from {r.remoteIp ?? 'unknown address'} · last tried{' '}
            {formatRelative(r.lastSeenMs, nowMs)} · {r.attempts === 1 ? '1 attempt' : `${r.attempts} attempts`}
          </p>
          <CopyCommand command={reenrollCommand(publicUrl, 'qpe_…', r.platform)} />
          <div class="button-row">
            <button
              type="button"
              class="btn"
              data-testid="dismiss-refused"
              disabled={action.isBusy}
              onClick={() =>
                void action.run(async () => {
                  await api.dismissRefusedAgent(r.id);
                  refused.reload();
                })
              }
            >
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
