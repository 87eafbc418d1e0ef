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
import { useT } from '../../lib/i18n/index.js';

export function RefusedAgentsPanel() {
  const { api } = useApp();
  const t = useT();
  const refused = useLoad(() => api.listRefusedAgents(), []);
  const action = useAction();
  const publicUrl = usePublicUrl();
  const nowMs = useNow(30_000);
  const list = refused.data ?? [];
  if (list.length === 0) return null;
  return (
    <div class="panel refused-agents" data-testid="refused-agents">
      <h2>{t('refused.title', { count: list.length })}</h2>
      <p class="muted">{t('refused.lead')}</p>
      {list.map((r) => (
        <div key={r.id} class="command-set" data-testid="refused-agent">
          <h3>
            {r.hostname ?? t('refused.unknownHost')} <span class="muted">{r.platform ?? ''}</span>
          </h3>
          <p class="muted">
            {t('refused.details', {
              deviceId: r.deviceId ?? t('refused.unknown'),
              isKnown: r.isKnownDevice ? 'yes' : 'no',
              address: r.remoteIp ?? t('refused.unknownAddress'),
              time: formatRelative(r.lastSeenMs, nowMs),
              attempts: r.attempts,
            })}
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
              {t('refused.dismiss')}
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
