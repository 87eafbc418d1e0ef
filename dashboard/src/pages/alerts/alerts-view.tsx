/**
 * Alerts (monthly clients): tabs Firing / Acknowledged / Resolved, a search, and quick actions.
 * Lists come from REST once and then follow the live socket (`alerts` messages): an alert
 * acknowledged on another screen moves tabs here within a second.
 */
import { useMemo, useState } from 'preact/hooks';
import type { Alert, AlertState, Severity } from '../../../../shared/alert-types.js';
import { useApp } from '../../lib/app-context.js';
import { useNow } from '../../lib/hooks.js';
import { useLiveAlerts } from '../../lib/live-list.js';
import { href } from '../../lib/router.js';
import { AlertRow } from '../../ui/alert-row.js';
import { OnCallNow } from './on-call-now.js';
import { EmptyState, LoadState, PageHead, TabLinks } from '../../ui/ui.js';

const TABS: { id: AlertState; label: string }[] = [
  { id: 'firing', label: 'Firing' },
  { id: 'acknowledged', label: 'Acknowledged' },
  { id: 'resolved', label: 'Resolved' },
];

const emptyText: Record<AlertState, [string, string]> = {
  firing: ['Nothing is firing', 'When a monthly client’s device crosses a rule, its alert appears here at once and pages the on-call technician.'],
  acknowledged: ['No acknowledged alerts', 'Alerts someone is working on show here until they resolve.'],
  resolved: ['No resolved alerts yet', 'Alerts that cleared or were resolved by hand are kept here.'],
};

function matches(a: Alert, q: string, severity: Severity | 'all'): boolean {
  if (severity !== 'all' && a.severity !== severity) return false;
  if (!q) return true;
  return [a.hostname, a.clientName, a.ruleName, a.summary, a.assignee ?? ''].some((s) => s.toLowerCase().includes(q));
}

export function AlertsView({ state }: { state: string | null }) {
  const { api } = useApp();
  const tab: AlertState = TABS.find((t) => t.id === state)?.id ?? 'firing';
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
      <PageHead title="Alerts" titleId="alerts-title" subtitle="Monthly-contract clients: problems that page the on-call technician.">
        <OnCallNow />
      </PageHead>
      <TabLinks
        label="Alert state"
        current={tab}
        tabs={TABS.map((t) => ({
          id: t.id,
          label: t.label,
          href: href('/alerts', { state: t.id === 'firing' ? null : t.id }),
          count: t.id === 'resolved' ? undefined : counts[t.id],
        }))}
      />
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder="Search device, client, rule…"
          aria-label="Search alerts"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
        <select class="select" aria-label="Severity" value={severity} onChange={(e) => setSeverity(e.currentTarget.value as Severity | 'all')}>
          <option value="all">All severities</option>
          <option value="critical">Critical</option>
          <option value="warning">Warning</option>
          <option value="info">Info</option>
        </select>
      </div>
      {list.status !== 'ready' ? (
        <LoadState status={list.status} error={list.error} onRetry={list.reload} what="alerts" />
      ) : rows.length === 0 ? (
        q || severity !== 'all' ? (
          <EmptyState title="No alerts match these filters" testId="alerts-empty" />
        ) : (
          <EmptyState title={emptyText[tab][0]} testId="alerts-empty">
            <p>{emptyText[tab][1]}</p>
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
