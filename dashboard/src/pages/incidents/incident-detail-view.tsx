/**
 * One incident: what happened, the device's metrics when it opened (the snapshot a technician
 * needs when the client calls), booked time with a form to book more, close / mark billed,
 * comments and the audit trail. Follows live changes.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { IncidentDetail } from '../../../../shared/alert-types.js';
import { labelSnapshot, parseSeriesKey } from '../../../../shared/metric-labels.js';
import { metricLabel } from '../../lib/chart-defs.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatMinutes, localDecimals, todayIso } from '../../lib/format.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { deviceHref, href } from '../../lib/router.js';
import { ErrorNote, LoadState, PageHead, ReadOnlyNote, SeverityBadge, StateBadge, Time, Timeline } from '../../ui/ui.js';
import { CommentForm } from '../../ui/comment-form.js';
import { BookTimeForm, TimeEntryList } from '../../ui/time-entries.js';
import { useT } from '../../lib/i18n/index.js';
import { incidentTitle, ruleTitle } from '../../lib/problem-text.js';

/** The device's latest values when the incident opened, with the charts' labels; ids under Details. */
function Snapshot({ snapshot }: { snapshot: Record<string, number> }) {
  const t = useT();
  // The shared labels are English: each row's metric is named again in the dashboard's language.
  const rows = labelSnapshot(snapshot).map((r) => {
    const { name, labels } = parseSeriesKey(r.key);
    return { ...r, label: metricLabel(name, labels), value: localDecimals(r.value) };
  });
  if (rows.length === 0) return <p class="muted">{t('incident.noMetrics')}</p>;
  return (
    <>
      <table class="table snapshot" data-testid="snapshot">
        <thead>
          <tr>
            <th scope="col">{t('incident.metric')}</th>
            <th scope="col" class="num">
              {t('incident.valueAtOpening')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <td>{r.label}</td>
              <td class="num">{r.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details class="muted" data-testid="snapshot-details">
        <summary>{t('incident.metricIds')}</summary>
        <ul>
          {rows.map((r) => (
            <li key={r.key}>
              <code>{r.key}</code> = {snapshot[r.key]}
            </li>
          ))}
        </ul>
      </details>
    </>
  );
}

function StateActions({ incident: i, onChanged }: { incident: IncidentDetail; onChanged: (i: IncidentDetail) => void }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  return (
    <div class="panel">
      <div class="button-row">
        {i.state === 'open' && (
          <button
            type="button"
            class="btn"
            disabled={action.isBusy}
            onClick={() => action.run(async () => onChanged(await api.closeIncident(i.id)))}
            data-testid="close-button"
          >
            {t('incident.close')}
          </button>
        )}
        {i.state === 'closed' && (
          <button
            type="button"
            class="btn btn-primary"
            disabled={action.isBusy}
            onClick={() => action.run(async () => onChanged(await api.billIncident(i.id)))}
            data-testid="bill-button"
          >
            {t('incident.markBilled')}
          </button>
        )}
      </div>
      <CommentForm
        formClass="comment-form"
        isBusy={action.isBusy}
        submit={(text) => action.run(async () => onChanged(await api.commentIncident(i.id, text)))}
      />
      <ErrorNote message={action.error} />
    </div>
  );
}

export function IncidentDetailView({ incidentId }: { incidentId: string }) {
  const { api, live } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const incident = useLoad(() => api.getIncident(incidentId), [api, incidentId]);
  const reloadIncident = incident.reload;
  useEffect(
    () => live.on('incidents', (m) => (m.isResync || m.incidents.some((i) => i.id === incidentId)) && reloadIncident()),
    [live, incidentId, reloadIncident],
  );

  if (!incident.data) return <LoadState status={incident.status} error={incident.error} onRetry={incident.reload} what={t('load.thisIncident')} />;
  const i = incident.data;
  const facts: [string, ComponentChildren][] = [
    [t('incident.client'), i.clientName],
    [t('incident.device'), i.deviceId && i.hostname ? <a href={deviceHref(i.deviceId)}>{i.hostname}</a> : '–'],
    [t('incident.source'), i.source === 'manual' ? t('incident.clientCalled') : t('incident.rule', { rule: i.ruleName ? ruleTitle(i.ruleName) : '?' })],
    [t('incident.opened'), <Time ms={i.openedAtMs} />],
    [
      t('incident.closed'),
      i.closedAtMs ? (
        <>
          <Time ms={i.closedAtMs} />
          {i.closure === 'cleared' ? t('incident.clearedItself') : ''}
        </>
      ) : (
        '–'
      ),
    ],
    [t('incident.billed'), i.billedAtMs ? <Time ms={i.billedAtMs} /> : '–'],
    [t('incident.booked'), formatMinutes(i.bookedMinutes)],
  ];
  const month = i.openedAtMs ? todayIso(i.openedAtMs).slice(0, 7) : null;

  return (
    <article class="record-page" data-testid="incident-page" data-incident-id={i.id} data-state={i.state}>
      <nav class="crumbs" aria-label={t('device.breadcrumb')}>
        <a href="#/incidents">{t('nav.incidents')}</a>
        <span aria-hidden="true">/</span>
        <span>{i.clientName}</span>
      </nav>
      <PageHead
        title={
          <>
            <SeverityBadge severity={i.severity} /> {incidentTitle(i)}
          </>
        }
      >
        <StateBadge state={i.state} />
        <a class="btn btn-quiet btn-small" href={href('/billing', { client: i.clientId, month })}>
          {t('incident.billingFor', { client: i.clientName })}
        </a>
      </PageHead>
      <dl class="facts">
        {facts.map(([label, value]) => (
          <div class="fact" key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <div class="two-col">
        <section class="section" aria-labelledby="snapshot-title">
          <h2 id="snapshot-title">{t('incident.metricsAtOpening')}</h2>
          <Snapshot snapshot={i.snapshot} />
        </section>
        <section class="section" aria-labelledby="time-title">
          <h2 id="time-title">{t('incident.time')}</h2>
          <TimeEntryList
            entries={i.timeEntries}
            totalMinutes={i.bookedMinutes}
            remove={canAct && i.state !== 'billed' ? (entryId) => api.removeTime(i.id, entryId) : undefined}
            onChanged={incident.reload}
          />
          {canAct && i.state !== 'billed' && <BookTimeForm book={(input) => api.bookTime(i.id, input)} onBooked={incident.reload} />}
          {i.state === 'billed' && <p class="muted">{t('incident.billedNote')}</p>}
        </section>
      </div>
      {canAct ? <StateActions incident={i} onChanged={incident.setData} /> : <ReadOnlyNote />}
      <section class="section" aria-labelledby="incident-timeline">
        <h2 id="incident-timeline">{t('incident.timeline')}</h2>
        <Timeline events={i.events} />
      </section>
    </article>
  );
}
