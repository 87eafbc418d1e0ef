/**
 * Notifications page: every message the on-call module sent or is trying to send, dead letters
 * first by default, with each attempt's outcome; technicians and admins retry a dead one here.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Delivery, DeliveryStatus } from '../../../../shared/notify-types.js';
import { describeError } from '../../lib/api.js';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { formatDayMonthTime, formatFullTime } from '../../lib/format.js';
import './notifications.css';

const filters: { value: DeliveryStatus | undefined; label: string }[] = [
  { value: 'dead', label: 'Dead letters' },
  { value: 'pending', label: 'Queued' },
  { value: 'sent', label: 'Sent' },
  { value: undefined, label: 'All' },
];

export function NotificationsView() {
  const { api } = useApp();
  const canRetry = usePermissions().canAct;
  const [status, setStatus] = useState<DeliveryStatus | undefined>('dead');
  const [rows, setRows] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let isCurrent = true;
    setError(null);
    api.listNotifications(status).then(
      (list) => isCurrent && setRows(list),
      (err: unknown) => isCurrent && setError(describeError(err)),
    );
    const timer = setInterval(() => setReload((n) => n + 1), 15_000);
    return () => {
      isCurrent = false;
      clearInterval(timer);
    };
  }, [api, status, reload]);

  const retry = async (id: number) => {
    try {
      await api.retryNotification(id);
      setReload((n) => n + 1);
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <section class="notifications" aria-labelledby="notifications-title">
      <div class="page-head">
        <h1 id="notifications-title">Notifications</h1>
        <p class="muted">Messages to the people on call. A dead letter could not be delivered; the admins were told by email.</p>
      </div>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Show notifications">
          {filters.map((f) => (
            <button
              key={f.label}
              type="button"
              aria-pressed={status === f.value}
              onClick={() => setStatus(f.value)}
              data-testid={`notifications-${f.value ?? 'all'}`}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {rows === null ? (
        <div class="splash" aria-busy="true">
          Loading…
        </div>
      ) : rows.length === 0 ? (
        <p class="no-match" data-testid="notifications-empty">
          {status === 'dead' ? 'No dead letters: every message was delivered or is still being tried.' : 'Nothing here.'}
        </p>
      ) : (
        <table class="delivery-table" data-testid="notifications-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Message</th>
              <th scope="col">Channel → recipient</th>
              <th scope="col">Status</th>
              <th scope="col">Last error</th>
              {canRetry && (
                <th scope="col" class="sr-only">
                  Actions
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id} class={`delivery-${d.status}`}>
                <td title={formatFullTime(d.createdAtMs)}>{formatDayMonthTime(d.createdAtMs)}</td>
                <td>
                  {d.title}
                  <span class="muted">
                    {' '}
                    · {d.purpose}
                    {d.level ? ` L${d.level}` : ''}
                  </span>
                </td>
                <td>
                  {d.channelName} ({d.channelType}) → {d.recipient}
                </td>
                <td>
                  <span class="delivery-status">{d.status}</span>
                  <span class="muted">
                    {' '}
                    · {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                  </span>
                </td>
                <td class="delivery-error">{d.lastError ?? ''}</td>
                {canRetry && (
                  <td>
                    {d.status === 'dead' && (
                      <button type="button" class="btn btn-small" onClick={() => retry(d.id)} data-testid={`retry-${d.id}`}>
                        Retry
                      </button>
                    )}
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
