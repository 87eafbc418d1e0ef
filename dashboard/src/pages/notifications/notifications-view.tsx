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
import { useT, type DashKey } from '../../lib/i18n/index.js';

const filters: { value: DeliveryStatus | undefined; label: DashKey }[] = [
  { value: 'dead', label: 'notif.dead' },
  { value: 'pending', label: 'notif.queued' },
  { value: 'sent', label: 'notif.sent' },
  { value: undefined, label: 'notif.all' },
];

export function NotificationsView() {
  const { api } = useApp();
  const t = useT();
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
        <h1 id="notifications-title">{t('notif.title')}</h1>
        <p class="muted">{t('notif.subtitle')}</p>
      </div>
      <div class="toolbar">
        <div class="segmented" role="group" aria-label={t('notif.show')}>
          {filters.map((f) => (
            <button
              key={f.label}
              type="button"
              aria-pressed={status === f.value}
              onClick={() => setStatus(f.value)}
              data-testid={`notifications-${f.value ?? 'all'}`}
            >
              {t(f.label)}
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
          {t('notif.loading')}
        </div>
      ) : rows.length === 0 ? (
        <p class="no-match" data-testid="notifications-empty">
          {status === 'dead' ? t('notif.noDead') : t('notif.nothing')}
        </p>
      ) : (
        <table class="delivery-table" data-testid="notifications-table">
          <thead>
            <tr>
              <th scope="col">{t('notif.when')}</th>
              <th scope="col">{t('notif.message')}</th>
              <th scope="col">{t('notif.channel')}</th>
              <th scope="col">{t('notif.status')}</th>
              <th scope="col">{t('notif.lastError')}</th>
              {canRetry && (
                <th scope="col" class="sr-only">
                  {t('notif.actions')}
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
                    · {t('notif.purpose', { purpose: d.purpose.replace(/-/g, '_'), raw: d.purpose })}
                    {d.level ? ` L${d.level}` : ''}
                  </span>
                </td>
                <td>
                  {d.channelName} ({d.channelType}) → {d.recipient}
                </td>
                <td>
                  <span class="delivery-status">{t('notif.state', { status: d.status })}</span>
                  <span class="muted"> {t('notif.attempts', { count: d.attempts })}</span>
                </td>
                <td class="delivery-error">{d.lastError ?? ''}</td>
                {canRetry && (
                  <td>
                    {d.status === 'dead' && (
                      <button type="button" class="btn btn-small" onClick={() => retry(d.id)} data-testid={`retry-${d.id}`}>
                        {t('notif.retry')}
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
