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

const TABS: { id: IncidentState; label: string }[] = [
  { id: 'open', label: 'Open' },
  { id: 'closed', label: 'Closed' },
  { id: 'billed', label: 'Billed' },
];

const emptyText: Record<IncidentState, [string, string]> = {
  open: [
    'No open incidents',
    'When a break-fix client’s device crosses a rule, an incident is logged here (nobody is paged). Log a call below when a client phones in.',
  ],
  closed: ['No closed incidents waiting for billing', 'Closed incidents with their booked time wait here until they are billed.'],
  billed: ['Nothing billed yet', 'Incidents marked billed are kept here; see Billing for the monthly totals.'],
};

/** "A client called": opens a manual incident and goes to it. */
function LogCallForm({ clients }: { clients: ClientInfo[] }) {
  const { api } = useApp();
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
      <summary>Log a call</summary>
      <form class="form-grid" onSubmit={submit}>
        <Field label="Client">
          <select class="select" required value={clientId} onChange={(e) => setClientId(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {clients.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="What is wrong" wide>
          <input required maxLength={500} value={title} onInput={(e) => setTitle(e.currentTarget.value)} placeholder="Printer on the 2nd floor jams" />
        </Field>
        <Field label="Severity">
          <select class="select" value={severity} onChange={(e) => setSeverity(e.currentTarget.value as Severity)}>
            <option value="warning">Warning</option>
            <option value="critical">Critical</option>
            <option value="info">Info</option>
          </select>
        </Field>
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={action.isBusy || !clientId || !title.trim()}>
            Open incident
          </button>
        </div>
        <ErrorNote message={action.error} />
      </form>
    </details>
  );
}

export function IncidentsView({ state }: { state: string | null }) {
  const { api } = useApp();
  const { canAct } = usePermissions();
  const tab: IncidentState = TABS.find((t) => t.id === state)?.id ?? 'open';
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
      <PageHead title="Incidents" titleId="incidents-title" subtitle="Break-fix clients: problems are logged, never paged; book time and bill it.">
        <a class="btn" href="#/billing">
          Billing
        </a>
      </PageHead>
      <TabLinks
        label="Incident state"
        current={tab}
        tabs={TABS.map((t) => ({
          id: t.id,
          label: t.label,
          href: href('/incidents', { state: t.id === 'open' ? null : t.id }),
          count: t.id === 'open' ? open.rows.length : t.id === 'closed' ? closed.rows.length : undefined,
        }))}
      />
      {canAct && clients.data && <LogCallForm clients={clients.data} />}
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder="Search title, client, device…"
          aria-label="Search incidents"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      {list.status !== 'ready' ? (
        <LoadState status={list.status} error={list.error} onRetry={list.reload} what="incidents" />
      ) : rows.length === 0 ? (
        q ? (
          <EmptyState title="No incidents match this search" testId="incidents-empty" />
        ) : (
          <EmptyState title={emptyText[tab][0]} testId="incidents-empty">
            <p>{emptyText[tab][1]}</p>
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
