/** One alert: what fired where, its state, who has it, the actions, comments and the audit trail (live). */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AlertDetail } from '../../../../shared/alert-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { deviceHref } from '../../lib/router.js';
import { ErrorNote, LoadState, PageHead, ReadOnlyNote, SeverityBadge, StateBadge, Time, Timeline } from '../../ui/ui.js';
import { CommentForm } from '../../ui/comment-form.js';
import { formatMetricValue } from '../../../../shared/metric-labels.js';
import { metricLabel } from '../../lib/chart-defs.js';
import { localDecimals } from '../../lib/format.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';
import { problemSummary, ruleTitle } from '../../lib/problem-text.js';
import { BookTimeForm, TimeEntryList } from '../../ui/time-entries.js';

function Facts({ alert: a }: { alert: AlertDetail }) {
  const t = useT();
  const rows: [string, ComponentChildren][] = [
    [t('alert.device'), <a href={deviceHref(a.deviceId)}>{a.hostname}</a>],
    [t('alert.client'), a.clientName],
    [t('alert.rule'), ruleTitle(a.ruleName)],
    [
      a.metric ? metricLabel(a.metric, a.labels) : t('alert.value'),
      a.value === null ? '–' : localDecimals(a.metric ? formatMetricValue(a.metric, a.value) : String(Math.round(a.value * 10) / 10)),
    ],
    [t('alert.opened'), <Time ms={a.openedAtMs} />],
    [
      t('alert.acknowledged'),
      a.acknowledgedAtMs ? <Msg k="alert.byWhom" values={{ time: <Time ms={a.acknowledgedAtMs} />, who: a.acknowledgedBy ?? '?' }} /> : '–',
    ],
    [
      t('alert.resolved'),
      a.resolvedAtMs ? (
        <Msg
          k="alert.resolution"
          values={{
            time: <Time ms={a.resolvedAtMs} />,
            how: a.resolution === 'cleared' || a.resolution === 'manual' ? a.resolution : 'removed',
            who: a.resolvedBy ?? '?',
          }}
        />
      ) : (
        '–'
      ),
    ],
    [
      t('alert.paged'),
      a.isUnrouted ? (
        <span data-testid="unrouted">{t('alert.paged.unrouted')}</span>
      ) : a.isSuppressed ? (
        t('alert.paged.suppressed')
      ) : a.groupSize > 1 && !a.isGroupLeader ? (
        t('alert.paged.withGroup', { size: a.groupSize })
      ) : a.isNotified ? (
        a.groupSize > 1 ? (
          t('alert.paged.onceForGroup', { size: a.groupSize })
        ) : (
          t('alert.paged.yes')
        )
      ) : a.isInMaintenance ? (
        t('alert.paged.maintenance')
      ) : (
        t('alert.paged.no')
      ),
    ],
    [t('alert.assignee'), a.assignee ?? t('alert.nobody')],
  ];
  if (Object.keys(a.labels).length > 0)
    rows.splice(3, 0, [
      t('alert.labels'),
      Object.entries(a.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(', '),
    ]);
  return (
    <dl class="facts" data-testid="alert-facts">
      {rows.map(([label, value]) => (
        <div class="fact" key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Actions({ alert: a, onChanged }: { alert: AlertDetail; onChanged: (a: AlertDetail) => void }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [note, setNote] = useState('');
  const users = useLoad((signal) => api.get<{ username: string }[]>('/api/users', signal), [api]);
  const [assignee, setAssignee] = useState(a.assignee ?? '');
  useEffect(() => setAssignee(a.assignee ?? ''), [a.assignee]);
  const done = (next: AlertDetail) => {
    setNote('');
    onChanged(next);
  };

  return (
    <div class="panel-grid">
      {a.state !== 'resolved' && (
        <form
          class="panel"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => done(await api.resolveAlert(a.id, note.trim() || undefined)));
          }}
        >
          <h2>{t('alert.handle')}</h2>
          <label class="field">
            <span>{t('alert.note')}</span>
            <input
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
              placeholder={t('alert.notePlaceholder')}
              maxLength={2000}
              data-testid="action-note"
            />
          </label>
          <div class="button-row">
            {a.state === 'firing' && (
              <button
                type="button"
                class="btn btn-primary"
                disabled={action.isBusy}
                onClick={() => action.run(async () => done(await api.acknowledgeAlert(a.id, note.trim() || undefined)))}
                data-testid="ack-button"
              >
                {t('alertRow.acknowledge')}
              </button>
            )}
            <button type="submit" class="btn" disabled={action.isBusy} data-testid="resolve-button">
              {t('alertRow.resolve')}
            </button>
          </div>
        </form>
      )}
      <form
        class="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => onChanged(await api.assignAlert(a.id, assignee || null)));
        }}
      >
        <h2>{t('alert.assign')}</h2>
        <label class="field">
          <span>{t('alert.technician')}</span>
          <select class="select" value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)} data-testid="assign-select">
            <option value="">{t('alert.nobodyOption')}</option>
            {(users.data ?? []).map((u) => (
              <option key={u.username} value={u.username}>
                {u.username}
              </option>
            ))}
          </select>
        </label>
        <div class="button-row">
          <button type="submit" class="btn" disabled={action.isBusy || assignee === (a.assignee ?? '')} data-testid="assign-button">
            {t('alert.assign')}
          </button>
        </div>
      </form>
      <CommentForm
        formClass="panel"
        heading={t('alert.comment')}
        isBusy={action.isBusy}
        submit={(text) => action.run(async () => onChanged(await api.commentAlert(a.id, text)))}
      />
      <ErrorNote message={action.error} />
    </div>
  );
}

/** Time spent on the alert: effort on a monthly contract, measured but not billed. */
function AlertTime({ alert: a, canEdit }: { alert: AlertDetail; canEdit: boolean }) {
  const { api } = useApp();
  const t = useT();
  const entries = useLoad((signal) => api.listAlertTime(a.id, signal), [api, a.id]);
  const list = entries.data ?? [];
  return (
    <section class="section" aria-labelledby="alert-time-title" data-testid="alert-time">
      <h2 id="alert-time-title">{t('alert.time')}</h2>
      <p class="muted section-lead" data-testid="alert-time-not-billed">
        {t('alert.timeNotBilled')}
      </p>
      {entries.data ? (
        <TimeEntryList
          entries={list}
          totalMinutes={list.reduce((sum, e) => sum + e.minutes, 0)}
          remove={canEdit ? (entryId) => api.removeAlertTime(a.id, entryId) : undefined}
          onChanged={entries.reload}
        />
      ) : (
        <LoadState status={entries.status} error={entries.error} onRetry={entries.reload} what={t('alert.timeWhat')} />
      )}
      {canEdit && <BookTimeForm book={(input) => api.bookAlertTime(a.id, input)} onBooked={entries.reload} />}
    </section>
  );
}

export function AlertDetailView({ alertId }: { alertId: string }) {
  const { api, live } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const alert = useLoad(() => api.getAlert(alertId), [api, alertId]);
  const reloadAlert = alert.reload;
  // Someone else acted (or the condition cleared): read the alert again, with its new events.
  useEffect(() => live.on('alerts', (m) => (m.isResync || m.alerts.some((a) => a.id === alertId)) && reloadAlert()), [live, alertId, reloadAlert]);

  if (!alert.data) return <LoadState status={alert.status} error={alert.error} onRetry={alert.reload} what={t('load.thisAlert')} />;
  const a = alert.data;
  return (
    <article class="record-page" data-testid="alert-page" data-alert-id={a.id} data-state={a.state}>
      <nav class="crumbs" aria-label={t('device.breadcrumb')}>
        <a href="#/alerts">{t('nav.alerts')}</a>
        <span aria-hidden="true">/</span>
        <span>{a.hostname}</span>
      </nav>
      <PageHead
        title={
          <>
            <SeverityBadge severity={a.severity} /> {ruleTitle(a.ruleName)}
          </>
        }
        subtitle={problemSummary(a)}
      >
        <StateBadge state={a.state} />
      </PageHead>
      <Facts alert={a} />
      {canAct ? <Actions alert={a} onChanged={alert.setData} /> : <ReadOnlyNote />}
      <AlertTime alert={a} canEdit={canAct} />
      <section class="section" aria-labelledby="alert-timeline">
        <h2 id="alert-timeline">{t('alert.timeline')}</h2>
        <Timeline events={a.events} />
      </section>
    </article>
  );
}
