/**
 * Incidents (break-fix clients): the log, by state. Monitoring opens them (never paging); a
 * technician opens one by hand when a client calls. Live like the alerts page.
 */
import { useState } from 'preact/hooks';
import type { IncidentState, Severity } from '../../../../shared/alert-types.js';
import type { ClientInfo } from '../../../../shared/api-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, useLoad, useNow } from '../../lib/hooks.js';
import { useLiveIncidents } from '../../lib/live-list.js';
import { href, incidentHref, navigate } from '../../lib/router.js';
import { IncidentRow } from '../../ui/incident-row.js';
import { EmptyState, ErrorNote, Field, LoadState, PageHead, TabLinks } from '../../ui/ui.js';
import { useT, type DashKey } from '../../lib/i18n/index.js';
import { FormActions } from '../../ui/form-actions.js';

const TABS: { id: IncidentState; label: DashKey }[] = [
  { id: 'open', label: 'incidents.tab.open' },
  { id: 'closed', label: 'incidents.tab.closed' },
  { id: 'billed', label: 'incidents.tab.billed' },
];

const emptyText: Record<IncidentState, [DashKey, DashKey]> = {
  open: ['incidents.empty.open', 'incidents.empty.openBody'],
  closed: ['incidents.empty.closed', 'incidents.empty.closedBody'],
  billed: ['incidents.empty.billed', 'incidents.empty.billedBody'],
};

/** "A client called": opens a manual incident and goes to it. */
function LogCallForm({ clients }: { clients: ClientInfo[] }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [clientId, setClientId] = useState('');
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState<Severity>('warning');
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      const opened = await api.openIncident({ clientId, title: title.trim(), severity });
      navigate(incidentHref(opened.id));
    });
  };
  return (
    <details class="panel disclosure">
      <summary>{t('incidents.logCall')}</summary>
      <form class="form-grid" onSubmit={submit}>
        <Field label={t('incidents.client')}>
          <select class="select" required value={clientId} onChange={(e) => setClientId(e.currentTarget.value)}>
            <option value="">{t('incidents.choose')}</option>
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('incidents.whatIsWrong')} wide>
          <input required maxLength={500} value={title} onInput={(e) => setTitle(e.currentTarget.value)} placeholder={t('incidents.whatPlaceholder')} />
        </Field>
        <Field label={t('incidents.severity')}>
          <select class="select" value={severity} onChange={(e) => setSeverity(e.currentTarget.value as Severity)}>
            <option value="warning">{t('severity.warning')}</option>
            <option value="critical">{t('severity.critical')}</option>
            <option value="info">{t('severity.info')}</option>
          </select>
        </Field>
        <FormActions submitLabel={t('incidents.open')} isDisabled={action.isBusy || !clientId || !title.trim()} />
        <ErrorNote message={action.error} />
      </form>
    </details>
  );
}

export function IncidentsView({ state }: { state: string | null }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const tab: IncidentState = TABS.find((x) => x.id === state)?.id ?? 'open';
  const nowMs = useNow(30_000);
  const [query, setQuery] = useState('');
  const open = useLiveIncidents(
    () => api.listIncidents({ state: 'open', limit: 1000 }),
    (i) => i.state === 'open',
    [api],
  );
  const closed = useLiveIncidents(
    () => api.listIncidents({ state: 'closed', limit: 1000 }),
    (i) => i.state === 'closed',
    [api],
  );
  const isBilledTab = tab === 'billed';
  const billed = useLiveIncidents(
    () => (isBilledTab ? api.listIncidents({ state: 'billed', limit: 200 }) : Promise.resolve([])),
    (i) => isBilledTab && i.state === 'billed',
    [api, isBilledTab],
  );
  const clients = useLoad(() => api.listClients(), [api]);
  const list = tab === 'open' ? open : tab === 'closed' ? closed : billed;
  const q = query.trim().toLowerCase();
  const rows = list.rows.filter((i) => !q || [i.title, i.clientName, i.hostname ?? ''].some((s) => s.toLowerCase().includes(q)));

  return (
    <section aria-labelledby="incidents-title" data-testid="incidents-page">
      <PageHead title={t('incidents.title')} titleId="incidents-title" subtitle={t('incidents.subtitle')}>
        <a class="btn" href="#/billing">
          {t('incidents.billing')}
        </a>
      </PageHead>
      <TabLinks
        label={t('incidents.stateLabel')}
        current={tab}
        tabs={TABS.map((x) => ({
          id: x.id,
          label: t(x.label),
          href: href('/incidents', { state: x.id === 'open' ? null : x.id }),
          count: x.id === 'open' ? open.rows.length : x.id === 'closed' ? closed.rows.length : undefined,
        }))}
      />
      {canAct && clients.data && <LogCallForm clients={clients.data} />}
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder={t('incidents.search')}
          aria-label={t('incidents.searchLabel')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      {list.status !== 'ready' ? (
        <LoadState status={list.status} error={list.error} onRetry={list.reload} what={t('load.incidents')} />
      ) : rows.length === 0 ? (
        q ? (
          <EmptyState title={t('incidents.noMatch')} testId="incidents-empty" />
        ) : (
          <EmptyState title={t(emptyText[tab][0])} testId="incidents-empty">
            <p>{t(emptyText[tab][1])}</p>
          </EmptyState>
        )
      ) : (
        <ul class="record-list" data-testid="incident-list">
          {rows.map((i) => (
            <IncidentRow key={i.id} incident={i} nowMs={nowMs} />
          ))}
        </ul>
      )}
    </section>
  );
}
