/**
 * Alerts (monthly clients): tabs Firing / Acknowledged / Resolved, a search, and quick actions.
 * Lists come from REST once and then follow the live socket (`alerts` messages): an alert
 * acknowledged on another screen moves tabs here within a second.
 */
import { useMemo, useState } from 'preact/hooks';
import { alertWords } from '../../lib/problem-text.js';
import type { Alert, AlertState, Severity } from '../../../../shared/alert-types.js';
import { useApp } from '../../lib/app-context.js';
import { useNow } from '../../lib/hooks.js';
import { useLiveAlerts } from '../../lib/live-list.js';
import { href } from '../../lib/router.js';
import { AlertRow } from '../../ui/alert-row.js';
import { OnCallNow } from './on-call-now.js';
import { EmptyState, LoadState, PageHead, TabLinks } from '../../ui/ui.js';
import { useT, type DashKey } from '../../lib/i18n/index.js';

const TABS: { id: AlertState; label: DashKey }[] = [
  { id: 'firing', label: 'alerts.tab.firing' },
  { id: 'acknowledged', label: 'alerts.tab.acknowledged' },
  { id: 'resolved', label: 'alerts.tab.resolved' },
];

const emptyText: Record<AlertState, [DashKey, DashKey]> = {
  firing: ['alerts.empty.firing', 'alerts.empty.firingBody'],
  acknowledged: ['alerts.empty.acknowledged', 'alerts.empty.acknowledgedBody'],
  resolved: ['alerts.empty.resolved', 'alerts.empty.resolvedBody'],
};

function matches(a: Alert, q: string, severity: Severity | 'all'): boolean {
  if (severity !== 'all' && a.severity !== severity) return false;
  if (!q) return true;
  // The words as shown (Dutch in a Dutch dashboard) and the server's, so either finds the alert.
  const { title, summary } = alertWords(a);
  return [a.hostname, a.clientName, a.ruleName, a.summary, title, summary, a.assignee ?? ''].some((s) => s.toLowerCase().includes(q));
}

export function AlertsView({ state }: { state: string | null }) {
  const { api } = useApp();
  const t = useT();
  const tab: AlertState = TABS.find((x) => x.id === state)?.id ?? 'firing';
  const nowMs = useNow(30_000);
  const [query, setQuery] = useState('');
  const [severity, setSeverity] = useState<Severity | 'all'>('all');
  const open = useLiveAlerts(
    () => api.listAlerts({ state: 'open', limit: 1000 }),
    (a) => a.state !== 'resolved',
    [api],
  );
  const isResolvedTab = tab === 'resolved';
  const resolved = useLiveAlerts(
    () => (isResolvedTab ? api.listAlerts({ state: 'resolved', limit: 200 }) : Promise.resolve([])),
    (a) => isResolvedTab && a.state === 'resolved',
    [api, isResolvedTab],
  );
  const list = isResolvedTab ? resolved : open;

  const counts = useMemo(() => {
    const c = { firing: 0, acknowledged: 0 };
    for (const a of open.rows)
      if (a.state === 'firing') c.firing++;
      else c.acknowledged++;
    return c;
  }, [open.rows]);
  const q = query.trim().toLowerCase();
  const rows = list.rows.filter((a) => a.state === tab && matches(a, q, severity));
  const onChanged = (a: Alert) => {
    open.upsert(a);
    if (isResolvedTab) resolved.upsert(a);
  };

  return (
    <section aria-labelledby="alerts-title" data-testid="alerts-page">
      <PageHead title={t('alerts.title')} titleId="alerts-title" subtitle={t('alerts.subtitle')}>
        <OnCallNow />
      </PageHead>
      <TabLinks
        label={t('alerts.stateLabel')}
        current={tab}
        tabs={TABS.map((x) => ({
          id: x.id,
          label: t(x.label),
          href: href('/alerts', { state: x.id === 'firing' ? null : x.id }),
          count: x.id === 'resolved' ? undefined : counts[x.id],
        }))}
      />
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder={t('alerts.search')}
          aria-label={t('alerts.searchLabel')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <select class="select" aria-label={t('alerts.severity')} value={severity} onChange={(e) => setSeverity(e.currentTarget.value as Severity | 'all')}>
          <option value="all">{t('alerts.allSeverities')}</option>
          <option value="critical">{t('severity.critical')}</option>
          <option value="warning">{t('severity.warning')}</option>
          <option value="info">{t('severity.info')}</option>
        </select>
      </div>
      {list.status !== 'ready' ? (
        <LoadState status={list.status} error={list.error} onRetry={list.reload} what={t('load.alerts')} />
      ) : rows.length === 0 ? (
        q || severity !== 'all' ? (
          <EmptyState title={t('alerts.noMatch')} testId="alerts-empty" />
        ) : (
          <EmptyState title={t(emptyText[tab][0])} testId="alerts-empty">
            <p>{t(emptyText[tab][1])}</p>
          </EmptyState>
        )
      ) : (
        <ul class="record-list" data-testid="alert-list">
          {rows.map((a) => (
            <AlertRow key={a.id} alert={a} nowMs={nowMs} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}
