/** One alert in a list: what, where, since when, who has it, and the quick actions. */
import type { Alert } from '../../../shared/alert-types.js';
import { usePermissions, useApp } from '../lib/app-context.js';
import { formatFullTime, formatRelative } from '../lib/format.js';
import { useAction } from '../lib/hooks.js';
import { alertHref, deviceHref } from '../lib/router.js';
import { SeverityBadge, StateBadge } from './ui.js';
import { useT } from '../lib/i18n/index.js';
import { problemSummary, ruleTitle } from '../lib/problem-text.js';

interface Props {
  alert: Alert;
  nowMs: number;
  /** The server's answer after an action, to show at once. */
  onChanged: (alert: Alert) => void;
  /** Hide the device/client line (on the device's own page). */
  isDeviceShown?: boolean;
}

export function AlertRow({ alert: a, nowMs, onChanged, isDeviceShown = true }: Props) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const action = useAction();
  const since = a.state === 'resolved' ? (a.resolvedAtMs ?? a.openedAtMs) : a.openedAtMs;

  return (
    <li class={`record-row sev-row-${a.severity} is-${a.state}`} data-testid="alert-row" data-alert-id={a.id} data-state={a.state}>
      <div class="record-main">
        <p class="record-title">
          <SeverityBadge severity={a.severity} />
          <a href={alertHref(a.id)} class="record-link">
            {ruleTitle(a.ruleName)}
          </a>
          {a.isFlapping && <span class="tag">{t('alertRow.flapping')}</span>}
          {a.isInMaintenance && <span class="tag">{t('alertRow.maintenance')}</span>}
          {a.groupSize > 1 && (
            <span class="tag tag-group" title={a.isGroupLeader ? t('alertRow.groupLeaderTitle') : t('alertRow.groupMemberTitle')} data-testid="grouped">
              {t('alertRow.group', { kind: a.ruleKind === 'offline' ? 'outage' : 'group', size: a.groupSize, leader: a.isGroupLeader ? 'yes' : 'no' })}
            </span>
          )}
          {a.isSuppressed && (
            <span class="tag" title={t('alertRow.suppressedTitle')} data-testid="suppressed">
              {t('alertRow.suppressed')}
            </span>
          )}
          {a.isUnrouted && (
            <span class="tag tag-unrouted" title={t('alertRow.unroutedTitle')} data-testid="unrouted">
              {t('alertRow.unrouted')}
            </span>
          )}
        </p>
        <p class="record-summary">{problemSummary(a)}</p>
        <p class="record-meta">
          {isDeviceShown && (
            <>
              <a href={deviceHref(a.deviceId)}>{a.hostname}</a>
              <span>{a.clientName}</span>
            </>
          )}
          <span title={formatFullTime(since)}>
            {t(a.state === 'resolved' ? 'alertRow.resolvedAgo' : 'alertRow.since', { when: formatRelative(since, nowMs) })}
          </span>
          {a.state === 'acknowledged' && a.acknowledgedBy && <span>{t('alertRow.ackBy', { who: a.acknowledgedBy })}</span>}
          {a.assignee && <span data-testid="assignee">→ {a.assignee}</span>}
        </p>
        {action.error && (
          <p class="form-error" role="alert">
            {action.error}
          </p>
        )}
      </div>
      <div class="record-side">
        <StateBadge state={a.state} />
        {canAct && a.state !== 'resolved' && (
          <div class="record-actions">
            {a.state === 'firing' && (
              <button
                type="button"
                class="btn btn-small btn-primary"
                disabled={action.isBusy}
                onClick={() => action.run(async () => onChanged(await api.acknowledgeAlert(a.id)))}
                data-testid="ack-button"
              >
                {t('alertRow.acknowledge')}
              </button>
            )}
            <button
              type="button"
              class="btn btn-small"
              disabled={action.isBusy}
              onClick={() => action.run(async () => onChanged(await api.resolveAlert(a.id)))}
              data-testid="resolve-button"
            >
              {t('alertRow.resolve')}
            </button>
          </div>
        )}
      </div>
    </li>
  );
}
