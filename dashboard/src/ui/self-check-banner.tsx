/**
 * The server's own health (GET /api/system/checks): a banner above every page for admins while
 * a self-check fails ("Disk nearly full: 4 GB free of 100 GB (4.0 %) under /var/lib/quarkpulse").
 * The same verdicts page the admins when they change.
 */
import { useApp, usePermissions } from '../lib/app-context.js';
import { useLoad } from '../lib/hooks.js';
import { Time } from './ui.js';
import { useT } from '../lib/i18n/index.js';
import { Msg } from '../lib/i18n/msg.js';

export function SelfCheckBanner() {
  const { api } = useApp();
  const t = useT();
  const { isAdmin } = usePermissions();
  const checks = useLoad(() => (isAdmin ? api.systemChecks() : Promise.resolve({ isEnabled: false, checks: [] })), [api, isAdmin]);
  const failing = (checks.data?.checks ?? []).filter((c) => c.status !== 'ok').sort((a, b) => (a.status === b.status ? 0 : a.status === 'critical' ? -1 : 1));
  if (failing.length === 0) return null;
  return (
    <div class={`gap-banner self-check-banner is-${failing[0]!.status}`} role="alert" data-testid="self-check-banner">
      <strong>{t('selfCheck.title', { status: failing[0]!.status })}</strong>
      <ul class="self-check-list">
        {failing.map((c) => (
          <li key={c.id} data-testid="self-check" data-check={c.id} data-status={c.status}>
            {c.summary} <Msg k="selfCheck.since" values={{ time: <Time ms={c.sinceMs} /> }} />
          </li>
        ))}
      </ul>
    </div>
  );
}
