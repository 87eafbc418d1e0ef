/**
 * One rotation layer of a schedule: who rotates (in order), how long a shift lasts, the first
 * handoff, and optionally the local hours it applies (a night layer over a day layer).
 */
import type { UserAccount } from '../../../../shared/api-types.js';
import type { Weekday } from '../../../../shared/alert-types.js';
import { dayName, WEEK, type Layer, type Restriction } from './oncall-text.js';
import { Field } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';

interface Props {
  index: number;
  layer: Layer;
  users: UserAccount[];
  onChange: (layer: Layer) => void;
  onRemove?: () => void;
}

function move<T>(list: T[], from: number, to: number): T[] {
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item!);
  return copy;
}

function RestrictionRow({ r, label, onChange, onRemove }: { r: Restriction; label: string; onChange: (r: Restriction) => void; onRemove: () => void }) {
  const t = useT();
  const toggle = (d: Weekday) => onChange({ ...r, days: r.days.includes(d) ? r.days.filter((x) => x !== d) : [...r.days, d] });
  return (
    <fieldset class="restriction field-wide">
      <legend class="sr-only">{label}</legend>
      <div class="days">
        {WEEK.map((d) => (
          <label key={d} class="day">
            <input type="checkbox" checked={r.days.includes(d)} onChange={() => toggle(d)} />
            {dayName(d)}
          </label>
        ))}
      </div>
      <label class="inline-field">
        {t('layer.from')} <input type="time" required value={r.startTime} onInput={(e) => onChange({ ...r, startTime: e.currentTarget.value })} />
      </label>
      <label class="inline-field">
        {t('layer.until')} <input type="time" required value={r.endTime} onInput={(e) => onChange({ ...r, endTime: e.currentTarget.value })} />
      </label>
      <button type="button" class="btn btn-small btn-quiet" onClick={onRemove} aria-label={t('layer.removeLabel', { what: label })}>
        {t('layer.remove')}
      </button>
    </fieldset>
  );
}

export function LayerEditor({ index, layer, users, onChange, onRemove }: Props) {
  const t = useT();
  const name = (id: string) => users.find((u) => u.id === id)?.username ?? id;
  const set = (patch: Partial<Layer>) => onChange({ ...layer, ...patch });
  const addable = users.filter((u) => !layer.userIds.includes(u.id));

  return (
    <fieldset class="layer-editor field-wide" data-testid="layer-editor">
      <legend>{t('layer.legend', { n: index + 1 })}</legend>
      <div class="form-grid">
        <Field label={t('layer.name')}>
          <input required maxLength={100} value={layer.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </Field>
        <Field label={t('layer.shift')} hint={t('layer.shiftHint')}>
          <input type="number" min={1} max={28} required value={layer.rotationDays} onInput={(e) => set({ rotationDays: Number(e.currentTarget.value) })} />
        </Field>
        <Field label={t('layer.firstHandoff')} hint={t('layer.firstHandoffHint')}>
          <input type="date" value={layer.startDate} onInput={(e) => set({ startDate: e.currentTarget.value })} data-testid="layer-start-date" />
        </Field>
        <Field label={t('layer.handoffTime')} hint={t('layer.handoffHint')}>
          <input type="time" required value={layer.handoffTime} onInput={(e) => set({ handoffTime: e.currentTarget.value })} />
        </Field>
        <div class="field field-wide">
          <span>{t('layer.rotation')}</span>
          {layer.userIds.length === 0 ? (
            <p class="muted">{t('layer.addOne')}</p>
          ) : (
            <ol class="member-list">
              {layer.userIds.map((id, i) => (
                <li key={id}>
                  <span class="member-name">
                    <span class="muted">{i + 1}.</span> {name(id)}
                  </span>
                  <button
                    type="button"
                    class="btn btn-small btn-quiet"
                    disabled={i === 0}
                    onClick={() => set({ userIds: move(layer.userIds, i, i - 1) })}
                    aria-label={t('layer.moveUp', { name: name(id) })}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    class="btn btn-small btn-quiet"
                    disabled={i === layer.userIds.length - 1}
                    onClick={() => set({ userIds: move(layer.userIds, i, i + 1) })}
                    aria-label={t('layer.moveDown', { name: name(id) })}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    class="btn btn-small btn-quiet"
                    onClick={() => set({ userIds: layer.userIds.filter((x) => x !== id) })}
                    aria-label={t('layer.removeLabel', { what: name(id) })}
                  >
                    {t('layer.remove')}
                  </button>
                </li>
              ))}
            </ol>
          )}
          {addable.length > 0 && (
            <select
              class="select member-add"
              aria-label={t('layer.addLabel', { n: index + 1 })}
              value=""
              onChange={(e) => {
                const id = e.currentTarget.value;
                if (id) set({ userIds: [...layer.userIds, id] });
              }}
              data-testid="layer-add-member"
            >
              <option value="">{t('layer.addPerson')}</option>
              {addable.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.username}
                </option>
              ))}
            </select>
          )}
        </div>
        <div class="field field-wide">
          <span>{t('layer.applies')}</span>
          {layer.restrictions.length === 0 && <p class="muted">{t('layer.allDay')}</p>}
          {layer.restrictions.map((r, i) => (
            <RestrictionRow
              key={i}
              r={r}
              label={t('layer.hoursLabel', { i: i + 1, n: index + 1 })}
              onChange={(next) => set({ restrictions: layer.restrictions.map((x, k) => (k === i ? next : x)) })}
              onRemove={() => set({ restrictions: layer.restrictions.filter((_, k) => k !== i) })}
            />
          ))}
          <button
            type="button"
            class="btn btn-small btn-quiet add-row"
            onClick={() => set({ restrictions: [...layer.restrictions, { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '18:00', endTime: '08:00' }] })}
          >
            {t('layer.limit')}
          </button>
        </div>
      </div>
      {onRemove && (
        <button type="button" class="btn btn-small btn-quiet" onClick={onRemove}>
          {t('layer.removeLayer', { n: index + 1 })}
        </button>
      )}
    </fieldset>
  );
}
