/** One incident in a list: what, where, since when, and how much time is booked on it. */
import type { Incident } from '../../../shared/alert-types.js';
import { formatFullTime, formatMinutes, formatRelative } from '../lib/format.js';
import { deviceHref, incidentHref } from '../lib/router.js';
import { SeverityBadge, StateBadge } from './ui.js';
import { useT } from '../lib/i18n/index.js';
import { incidentTitle } from '../lib/problem-text.js';

export function IncidentRow({ incident: i, nowMs, isDeviceShown = true }: { incident: Incident; nowMs: number; isDeviceShown?: boolean }) {
  const t = useT();
  return (
    <li class={`record-row sev-row-${i.severity} is-${i.state}`} data-testid="incident-row" data-incident-id={i.id} data-state={i.state}>
      <div class="record-main">
        <p class="record-title">
          <SeverityBadge severity={i.severity} />
          <a href={incidentHref(i.id)} class="record-link">
            {incidentTitle(i)}
          </a>
          {i.source === 'manual' && <span class="tag">{t('incidentRow.calledIn')}</span>}
        </p>
        <p class="record-meta">
          {isDeviceShown && (
            <>
              {i.deviceId && i.hostname ? <a href={deviceHref(i.deviceId)}>{i.hostname}</a> : <span>{t('incidentRow.noDevice')}</span>}
              <span>{i.clientName}</span>
            </>
          )}
          <span title={formatFullTime(i.openedAtMs)}>{t('incidentRow.opened', { when: formatRelative(i.openedAtMs, nowMs) })}</span>
          {i.closedAtMs !== null && <span title={formatFullTime(i.closedAtMs)}>{t('incidentRow.closed', { when: formatRelative(i.closedAtMs, nowMs) })}</span>}
        </p>
      </div>
      <div class="record-side">
        <StateBadge state={i.state} />
        <span class={`booked${i.bookedMinutes > 0 ? '' : ' muted'}`} data-testid="booked-minutes" data-minutes={i.bookedMinutes}>
          {i.bookedMinutes > 0 ? formatMinutes(i.bookedMinutes) : t('incidentRow.noTime')}
        </span>
      </div>
    </li>
  );
}
