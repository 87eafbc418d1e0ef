/**
 * One on-call schedule: its layers (who rotates, shift length, handoff time, hours), current and
 * future overrides, and the shifts of the coming week as they will really run. Technicians and
 * admins add and remove overrides, edit and delete; viewers read.
 */
import { useState } from 'preact/hooks';
import type { UserAccount } from '../../../../shared/api-types.js';
import type { OnCallShift, Schedule } from '../../../../shared/notify-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatDayMonthTime, formatIsoDate } from '../../lib/format.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { describeRestriction, describeRotation } from './oncall-text.js';
import { OverrideForm } from './override-form.js';
import { ScheduleForm } from './schedule-form.js';
import { ErrorNote, Time } from '../../ui/ui.js';
import { DeleteButton, EditButton } from '../../ui/card-buttons.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

const WEEK_MS = 7 * 86_400_000;
const MAX_SHIFTS = 10;

interface Props {
  schedule: Schedule;
  users: UserAccount[];
  onChanged: (s: Schedule) => void;
  onRemoved: () => void;
  /** Overrides changed: who is on call now may have too. */
  onOverridesChanged: () => void;
}

function ShiftList({ shifts }: { shifts: OnCallShift[] }) {
  const t = useT();
  if (shifts.length === 0) return <p class="muted">{t('card.nobodyWeek')}</p>;
  return (
    <ol class="shift-list" data-testid="shift-list">
      {shifts.slice(0, MAX_SHIFTS).map((s) => (
        <li key={s.startsAtMs} class={`shift shift-${s.source}`}>
          <span class="shift-when">
            <Time ms={s.startsAtMs} />
          </span>
          <strong>{s.username ?? t('card.nobody')}</strong>
          <span class="muted">{s.source === 'override' ? t('card.override') : (s.layer ?? '')}</span>
        </li>
      ))}
    </ol>
  );
}

export function ScheduleCard({ schedule: s, users, onChanged, onRemoved, onOverridesChanged }: Props) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const action = useAction();
  const [mode, setMode] = useState<'view' | 'edit' | 'override'>('view');
  const overrides = useLoad(() => api.listOverrides(s.id), [api, s.id]);
  const shifts = useLoad(() => {
    const fromMs = Date.now();
    return api.listShifts(s.id, fromMs, fromMs + WEEK_MS);
  }, [api, s]);
  const name = (id: string) => users.find((u) => u.id === id)?.username ?? t('card.removedUser');
  const overridesChanged = () => {
    overrides.reload();
    shifts.reload();
    onOverridesChanged();
  };

  if (mode === 'edit') {
    return (
      <li class="card schedule" data-testid="schedule-row" data-schedule-id={s.id}>
        <h3 class="card-title">{t('card.edit', { name: s.name })}</h3>
        <ScheduleForm schedule={s} users={users} onCancel={() => setMode('view')} onSaved={(next) => (setMode('view'), onChanged(next))} />
      </li>
    );
  }

  return (
    <li class="card schedule" data-testid="schedule-row" data-schedule-id={s.id} data-schedule-name={s.name}>
      <h3 class="card-title">
        {s.name} <span class="tag">{s.timezone}</span>
      </h3>
      <ul class="layer-list">
        {s.layers.map((l, i) => (
          <li key={i} data-testid="schedule-layer">
            <p>
              <strong>{l.name}</strong>{' '}
              <span class="muted">
                <Msg
                  k="card.layer"
                  values={{ rotation: describeRotation(l.rotationDays), time: l.handoffTime, date: <span class="nowrap">{formatIsoDate(l.startDate)}</span> }}
                />
                {l.restrictions.map((r, k) => (
                  <span key={k} class="nowrap">
                    {' · '}
                    {describeRestriction(r)}
                  </span>
                ))}
              </span>
            </p>
            <p class="rota">{l.userIds.map(name).join(' → ')}</p>
          </li>
        ))}
      </ul>

      <h4 class="sub-title">{t('card.overrides')}</h4>
      {overrides.data === undefined ? (
        <p class="muted">{overrides.status === 'error' ? overrides.error : t('card.loading')}</p>
      ) : overrides.data.length === 0 ? (
        <p class="muted" data-testid="overrides-empty">
          {t('card.noOverrides')}
        </p>
      ) : (
        <ul class="row-list override-list" data-testid="override-list">
          {overrides.data.map((o) => (
            <li key={o.id} data-testid="override-row">
              <span>
                <strong>{o.username}</strong> <Time ms={o.startsAtMs} /> – <Time ms={o.endsAtMs} />
                {o.note && <span class="muted"> · {o.note}</span>}
              </span>
              {canAct && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet"
                  disabled={action.isBusy}
                  aria-label={t('card.removeOverride', { name: o.username, time: formatDayMonthTime(o.startsAtMs) })}
                  onClick={() => action.run(async () => (await api.deleteOverride(s.id, o.id), overridesChanged()))}
                  data-testid="override-remove"
                >
                  {t('card.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {mode === 'override' && (
        <OverrideForm schedule={s} users={users} onCancel={() => setMode('view')} onAdded={() => (setMode('view'), overridesChanged())} />
      )}

      <details class="shifts">
        <summary>{t('card.next7')}</summary>
        {shifts.data ? <ShiftList shifts={shifts.data} /> : <p class="muted">{shifts.status === 'error' ? shifts.error : t('card.loading')}</p>}
      </details>

      {canAct && mode === 'view' && (
        <div class="card-controls">
          <button type="button" class="btn btn-small" onClick={() => setMode('override')} data-testid="override-add">
            {t('card.addOverride')}
          </button>
          <EditButton onClick={() => setMode('edit')} testId="schedule-edit" />
          <DeleteButton
            question={t('card.deleteConfirm', { name: s.name })}
            isDisabled={action.isBusy}
            onDelete={() => action.run(async () => (await api.deleteSchedule(s.id), onRemoved()))}
            testId="schedule-delete"
          />
        </div>
      )}
      <ErrorNote message={action.error} />
    </li>
  );
}
