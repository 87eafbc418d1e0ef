/**
 * Booked time on a record: the list of entries (with a remove button each) and the form that
 * books more. Used by the incident page (billable work) and the alert page (effort on a monthly
 * contract, not billed); the page passes the calls that book and remove on its record.
 */
import { useState } from 'preact/hooks';
import { formatIsoDate, formatMinutes, todayIso } from '../lib/format.js';
import { useAction } from '../lib/hooks.js';
import { useT } from '../lib/i18n/index.js';
import { ErrorNote, Field } from './ui.js';
import './time-entries.css';

/** One booked entry, as the incident and alert APIs answer it. */
export interface BookedEntry {
  id: string;
  technician: string;
  minutes: number;
  note: string | null;
  /** Local calendar day of the work, YYYY-MM-DD. */
  date: string;
}

/** What the form books. */
export interface BookingInput {
  minutes: number;
  note: string | null;
  date: string;
}

export function BookTimeForm({ book, onBooked }: { book: (input: BookingInput) => Promise<unknown>; onBooked: () => void }) {
  const t = useT();
  const action = useAction();
  const [hours, setHours] = useState('0');
  const [minutes, setMinutes] = useState('30');
  const [note, setNote] = useState('');
  const [date, setDate] = useState(todayIso);
  const total = (Number(hours) || 0) * 60 + (Number(minutes) || 0);
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      await book({ minutes: Math.round(total), note: note.trim() || null, date });
      // A booking is one piece of work: the next one starts from empty fields, or a later
      // "20 minutes" typed into the minutes field would book the previous hours too.
      setHours('0');
      setMinutes('0');
      setNote('');
      onBooked();
    });
  };
  return (
    <form class="panel form-grid" onSubmit={submit} data-testid="book-time-form">
      <h3 class="form-title">{t('incident.bookTime')}</h3>
      <Field label={t('incident.hours')}>
        <input
          type="number"
          min={0}
          max={24}
          step={1}
          inputMode="numeric"
          value={hours}
          onInput={(e) => setHours(e.currentTarget.value)}
          data-testid="book-hours"
        />
      </Field>
      <Field label={t('incident.minutes')}>
        <input
          type="number"
          min={0}
          max={59}
          step={5}
          inputMode="numeric"
          value={minutes}
          onInput={(e) => setMinutes(e.currentTarget.value)}
          data-testid="book-minutes"
        />
      </Field>
      <Field label={t('incident.date')} hint={t('incident.dateHint')}>
        <input type="date" required value={date} max={todayIso()} onInput={(e) => setDate(e.currentTarget.value)} />
      </Field>
      <Field label={t('incident.note')} wide>
        <input
          maxLength={2000}
          value={note}
          onInput={(e) => setNote(e.currentTarget.value)}
          placeholder={t('incident.notePlaceholder')}
          data-testid="book-note"
        />
      </Field>
      <div class="button-row">
        <button type="submit" class="btn btn-primary" disabled={action.isBusy || total < 1 || total > 1440} data-testid="book-submit">
          {total >= 1 ? t('incident.bookAmount', { amount: formatMinutes(total) }) : t('incident.bookTimeButton')}
        </button>
      </div>
      <ErrorNote message={action.error} />
    </form>
  );
}

/** The entries and their total; `remove` is left out when the user may not change them. */
export function TimeEntryList({
  entries,
  totalMinutes,
  remove,
  onChanged,
}: {
  entries: readonly BookedEntry[];
  totalMinutes: number;
  remove?: (entryId: string) => Promise<unknown>;
  onChanged: () => void;
}) {
  const t = useT();
  const action = useAction();
  if (entries.length === 0)
    return (
      <p class="muted" data-testid="no-time">
        {t('incident.noTime')}
      </p>
    );
  return (
    <>
      <ul class="entries" data-testid="time-entries">
        {entries.map((e) => (
          <li key={e.id} class="entry" data-testid="time-entry">
            <p class="entry-head">
              <strong class="entry-minutes">{formatMinutes(e.minutes)}</strong>
              <span class="muted">
                {formatIsoDate(e.date)} · {e.technician}
              </span>
              {remove && (
                <button
                  type="button"
                  class="btn btn-quiet btn-small entry-remove"
                  aria-label={t('incident.removeEntry', { amount: formatMinutes(e.minutes), who: e.technician, date: formatIsoDate(e.date) })}
                  disabled={action.isBusy}
                  onClick={() =>
                    action.run(async () => {
                      await remove(e.id);
                      onChanged();
                    })
                  }
                  data-testid="time-entry-remove"
                >
                  {t('incident.remove')}
                </button>
              )}
            </p>
            {e.note && <p class="entry-note">{e.note}</p>}
          </li>
        ))}
        <li class="entry entry-total">
          <p class="entry-head">
            <strong class="entry-minutes" data-testid="booked-total">
              {formatMinutes(totalMinutes)}
            </strong>
            <span class="muted">{t('incident.inTotal')}</span>
          </p>
        </li>
      </ul>
      <ErrorNote message={action.error} />
    </>
  );
}
