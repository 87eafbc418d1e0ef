/** One alert: what fired where, its state, who has it, the actions, comments and the audit trail (live). */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { AlertDetail } from '../../../../shared/alert-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { deviceHref } from '../../lib/router.js';
import { ErrorNote, LoadState, PageHead, ReadOnlyNote, SeverityBadge, StateBadge, Time, Timeline } from '../../ui/ui.js';
import { CommentForm } from '../../ui/comment-form.js';
import { formatMetricValue, labelMetric } from '../../../../shared/metric-labels.js';

function Facts({ alert: a }: { alert: AlertDetail }) {
  const rows: [string, ComponentChildren][] = [
    ['Device', <a href={deviceHref(a.deviceId)}>{a.hostname}</a>],
    ['Client', a.clientName],
    ['Rule', a.ruleName],
    [
      a.metric ? labelMetric(a.metric, a.labels) : 'Value',
      a.value === null ? '–' : a.metric ? formatMetricValue(a.metric, a.value) : String(Math.round(a.value * 10) / 10),
    ],
    ['Opened', <Time ms={a.openedAtMs} />],
    [
      'Acknowledged',
      a.acknowledgedAtMs ? (
        <>
          <Time ms={a.acknowledgedAtMs} /> by {a.acknowledgedBy ?? '?'}
        </>
      ) : (
        '–'
      ),
    ],
    [
      'Resolved',
      a.resolvedAtMs ? (
        <>
          <Time ms={a.resolvedAtMs} /> (
          {a.resolution === 'cleared' ? 'cleared by itself' : a.resolution === 'manual' ? `by ${a.resolvedBy ?? '?'}` : 'rule removed'})
        </>
      ) : (
        '–'
      ),
    ],
    [
      'Paged',
      a.isUnrouted ? (
        <span data-testid="unrouted">unrouted: its escalation reached nobody, the fallback was paged</span>
      ) : a.isSuppressed ? (
        'no: the device it depends on is down; it pages if still open when that device is back'
      ) : a.groupSize > 1 && !a.isGroupLeader ? (
        `with its group: one page for ${a.groupSize} alerts`
      ) : a.isNotified ? (
        a.groupSize > 1 ? (
          `yes, once for its group of ${a.groupSize} alerts`
        ) : (
          'yes'
        )
      ) : a.isInMaintenance ? (
        'no (maintenance window)'
      ) : (
        'no'
      ),
    ],
    ['Assignee', a.assignee ?? 'nobody'],
  ];
  if (Object.keys(a.labels).length > 0)
    rows.splice(3, 0, [
      'Labels',
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
          <h2>Handle</h2>
          <label class="field">
            <span>Note (optional)</span>
            <input
              value={note}
              onInput={(e) => setNote(e.currentTarget.value)}
              placeholder="What you found or did"
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
                Acknowledge
              </button>
            )}
            <button type="submit" class="btn" disabled={action.isBusy} data-testid="resolve-button">
              Resolve
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
        <h2>Assign</h2>
        <label class="field">
          <span>Technician</span>
          <select class="select" value={assignee} onChange={(e) => setAssignee(e.currentTarget.value)} data-testid="assign-select">
            <option value="">Nobody</option>
            {(users.data ?? []).map((u) => (
              <option key={u.username} value={u.username}>
                {u.username}
              </option>
            ))}
          </select>
        </label>
        <div class="button-row">
          <button type="submit" class="btn" disabled={action.isBusy || assignee === (a.assignee ?? '')} data-testid="assign-button">
            Assign
          </button>
        </div>
      </form>
      <CommentForm
        formClass="panel"
        heading="Comment"
        isBusy={action.isBusy}
        submit={(text) => action.run(async () => onChanged(await api.commentAlert(a.id, text)))}
      />
      <ErrorNote message={action.error} />
    </div>
  );
}

export function AlertDetailView({ alertId }: { alertId: string }) {
  const { api, live } = useApp();
  const { canAct } = usePermissions();
  const alert = useLoad(() => api.getAlert(alertId), [api, alertId]);
  const reloadAlert = alert.reload;
  // Someone else acted (or the condition cleared): read the alert again, with its new events.
  useEffect(() => live.on('alerts', (m) => (m.isResync || m.alerts.some((a) => a.id === alertId)) && reloadAlert()), [live, alertId, reloadAlert]);

  if (!alert.data) return <LoadState status={alert.status} error={alert.error} onRetry={alert.reload} what="this alert" />;
  const a = alert.data;
  return (
    <article class="record-page" data-testid="alert-page" data-alert-id={a.id} data-state={a.state}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/alerts">Alerts</a>
        <span aria-hidden="true">/</span>
        <span>{a.hostname}</span>
      </nav>
      <PageHead
        title={
          <>
            <SeverityBadge severity={a.severity} /> {a.ruleName}
          </>
        }
        subtitle={a.summary}
      >
        <StateBadge state={a.state} />
      </PageHead>
      <Facts alert={a} />
      {canAct ? <Actions alert={a} onChanged={alert.setData} /> : <ReadOnlyNote />}
      <section class="section" aria-labelledby="alert-timeline">
        <h2 id="alert-timeline">Timeline</h2>
        <Timeline events={a.events} />
      </section>
    </article>
  );
}
