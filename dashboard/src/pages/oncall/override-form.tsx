/**
 * "I take Tuesday night": one person covers a schedule for a stretch of time, beating every
 * layer. Times are entered in the viewer's time zone (shown); the form starts at the next night
 * (18:00–08:00) and with the signed-in user, the usual swap.
 */
import { useState } from 'preact/hooks';
import type { UserAccount } from '../../../../shared/api-types.js';
import type { Schedule } from '../../../../shared/notify-types.js';
import { useApp } from '../../lib/app-context.js';
import { viewerTimeZone } from '../../lib/format.js';
import { useAction } from '../../lib/hooks.js';
import { fromLocalInput, nextNight, toLocalInput } from './oncall-text.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { useT } from '../../lib/i18n/index.js';

interface Props {
  schedule: Schedule;
  users: UserAccount[];
  onAdded: () => void;
  onCancel: () => void;
}

export function OverrideForm({ schedule, users, onAdded, onCancel }: Props) {
  const { api, user } = useApp();
  const t = useT();
  const action = useAction();
  const night = nextNight(Date.now());
  const [userId, setUserId] = useState(users.some((u) => u.id === user?.id) ? user!.id : (users[0]?.id ?? ''));
  const [starts, setStarts] = useState(toLocalInput(night.startsAtMs));
  const [ends, setEnds] = useState(toLocalInput(night.endsAtMs));
  const [note, setNote] = useState('');
  const zone = viewerTimeZone();

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await api.addOverride(schedule.id, {
        userId,
        startsAtMs: fromLocalInput(starts),
        endsAtMs: fromLocalInput(ends),
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      onAdded();
    });
  };

  return (
    <form class="form-grid wide-cells override-form" onSubmit={submit} data-testid="override-form">
      <p class="field-wide muted">
        {t('overrideForm.who', {
          name: schedule.name,
          zone: zone !== schedule.timezone ? t('overrideForm.zoneDiffers', { zone, scheduleZone: schedule.timezone }) : t('overrideForm.zone', { zone }),
        })}
      </p>
      <Field label={t('overrideForm.person')}>
        <select class="select" required value={userId} onChange={(e) => setUserId(e.currentTarget.value)} data-testid="override-user">
          {users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.username}
              {u.id === user?.id ? t('overrideForm.you') : ''}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('overrideForm.from')}>
        <input type="datetime-local" required value={starts} onInput={(e) => setStarts(e.currentTarget.value)} data-testid="override-starts" />
      </Field>
      <Field label={t('overrideForm.until')}>
        <input type="datetime-local" required value={ends} onInput={(e) => setEnds(e.currentTarget.value)} data-testid="override-ends" />
      </Field>
      <Field label={t('overrideForm.note')}>
        <input
          maxLength={500}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
          placeholder={t('overrideForm.notePlaceholder')}
          data-testid="override-note"
        />
      </Field>
      <FormActions submitLabel={t('overrideForm.add')} isDisabled={action.isBusy || !userId || !starts || !ends} testId="override-save" onCancel={onCancel} />
      <ErrorNote message={action.error} testId="override-error" />
    </form>
  );
}
