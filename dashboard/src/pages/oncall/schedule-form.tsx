/**
 * Creates or edits an on-call schedule: a name, the IANA time zone its handoff times are read
 * in, and one or more rotation layers (the last layer that applies wins). The server checks
 * meaning (real dates, existing users, the zone) and its message is shown as is.
 */
import { useState } from 'preact/hooks';
import type { UserAccount } from '../../../../shared/api-types.js';
import type { Schedule, ScheduleInput } from '../../../../shared/notify-types.js';
import { useApp } from '../../lib/app-context.js';
import { viewerTimeZone } from '../../lib/format.js';
import { timeZones } from '../../lib/time-zones.js';
import { useAction } from '../../lib/hooks.js';
import type { Layer } from './oncall-text.js';
import { LayerEditor } from './layer-editor.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { activeT, useT } from '../../lib/i18n/index.js';

interface Props {
  schedule?: Schedule;
  users: UserAccount[];
  onSaved: (schedule: Schedule) => void;
  onCancel?: () => void;
}

// No start date by default: the server starts the layer now (its first person is on call at
// once) instead of at the next handoff, which left "nobody until 09:00" after a night setup.
const newLayer = (n: number): Layer => ({
  name: n === 0 ? activeT()('schedule.weekly') : activeT()('schedule.layerN', { n: n + 1 }),
  userIds: [],
  rotationDays: 7,
  startDate: '',
  handoffTime: '09:00',
  restrictions: [],
});

export function ScheduleForm({ schedule, users, onSaved, onCancel }: Props) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [name, setName] = useState(schedule?.name ?? '');
  const [timezone, setTimezone] = useState(schedule?.timezone ?? viewerTimeZone());
  const [layers, setLayers] = useState<Layer[]>(
    () =>
      schedule?.layers.map((l) => ({ ...l, userIds: [...l.userIds], restrictions: l.restrictions.map((r) => ({ ...r, days: [...r.days] })) })) ?? [newLayer(0)],
  );
  const listId = `tz-${schedule?.id ?? 'new'}`;

  const submit = (e: Event) => {
    e.preventDefault();
    const input: ScheduleInput = {
      name: name.trim(),
      timezone: timezone.trim(),
      layers: layers.map(({ startDate, ...l }) => ({ ...l, name: l.name.trim(), ...(startDate ? { startDate } : {}) })),
    };
    void action.run(async () => onSaved(schedule ? await api.updateSchedule(schedule.id, input) : await api.createSchedule(input)));
  };

  return (
    <form class="form-grid wide-cells schedule-form" onSubmit={submit} data-testid="schedule-form">
      <Field label={t('schedule.name')}>
        <input
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          placeholder={t('schedule.namePlaceholder')}
          data-testid="schedule-name"
        />
      </Field>
      <Field label={t('schedule.timezone')} hint={t('schedule.timezoneHint')}>
        <input required list={listId} value={timezone} onInput={(e) => setTimezone(e.currentTarget.value)} autoComplete="off" spellcheck={false} />
        <datalist id={listId}>
          {timeZones().map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
      </Field>
      {layers.map((l, i) => (
        <LayerEditor
          key={i}
          index={i}
          layer={l}
          users={users}
          onChange={(next) => setLayers((all) => all.map((x, k) => (k === i ? next : x)))}
          onRemove={layers.length > 1 ? () => setLayers((all) => all.filter((_, k) => k !== i)) : undefined}
        />
      ))}
      <div class="button-row">
        {layers.length < 10 && (
          <button type="button" class="btn btn-quiet" onClick={() => setLayers((all) => [...all, newLayer(all.length)])}>
            {t('schedule.addLayer')}
          </button>
        )}
        <span class="muted">{t('schedule.overlap')}</span>
      </div>
      <FormActions
        submitLabel={schedule ? t('schedule.save') : t('schedule.create')}
        isDisabled={action.isBusy || layers.some((l) => l.userIds.length === 0)}
        testId="schedule-save"
        onCancel={onCancel}
      />
      <ErrorNote message={action.error} testId="schedule-form-error" />
    </form>
  );
}
