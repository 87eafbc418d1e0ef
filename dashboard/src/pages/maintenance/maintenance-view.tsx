/**
 * Maintenance windows: while one is active its client's (or device's) problems are still recorded
 * but nobody is paged. One-off windows are entered in your time zone; weekly ones are in the
 * client's time zone (the server says which).
 */
import { useMemo, useState } from 'preact/hooks';
import type { MaintenanceInput, MaintenanceWindow, Weekday } from '../../../../shared/alert-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatDayMonthTime, formatFullTime, viewerTimeZone } from '../../lib/format.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { clientHref, deviceHref } from '../../lib/router.js';
import { EmptyState, ErrorNote, Field, LoadState, PageHead } from '../../ui/ui.js';
import { activeT, useT } from '../../lib/i18n/index.js';
import { FormActions } from '../../ui/form-actions.js';

// The same order as shared WEEKDAYS; not imported from there because that module pulls in zod.
const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const dayName = (d: Weekday) => activeT()(`day.${d}`);

function scheduleText(w: MaintenanceWindow): string {
  if (w.kind === 'one-off') return `${formatDayMonthTime(w.startsAtMs)} – ${formatDayMonthTime(w.endsAtMs)}`;
  // An end at or before the start is the next morning (a patch night, 22:00–04:00).
  return activeT()('mw.every', {
    days: w.daysOfWeek.map(dayName).join(', '),
    from: w.startTime,
    to: w.endTime,
    nextDay: w.endTime <= w.startTime ? 'yes' : 'no',
    zone: w.timezone,
  });
}

/** `2026-03-14T02:00` (datetime-local, viewer's zone) → ms. */
const localInputToMs = (v: string) => new Date(v).getTime();

function NewWindowForm({
  clients,
  devices,
  onCreated,
}: {
  clients: { id: string; name: string }[];
  devices: { id: string; hostname: string }[];
  onCreated: () => void;
}) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [kind, setKind] = useState<'one-off' | 'recurring'>('recurring');
  const [name, setName] = useState('');
  const [scopeType, setScopeType] = useState<'client' | 'device'>('client');
  const [scopeId, setScopeId] = useState('');
  const [starts, setStarts] = useState('');
  const [ends, setEnds] = useState('');
  const [days, setDays] = useState<Weekday[]>(['sun']);
  const [startTime, setStartTime] = useState('02:00');
  const [endTime, setEndTime] = useState('04:00');
  const scope = scopeType === 'client' ? ({ type: 'client', clientId: scopeId } as const) : ({ type: 'device', deviceId: scopeId } as const);
  const submit = (e: Event) => {
    e.preventDefault();
    const input: MaintenanceInput =
      kind === 'one-off'
        ? { kind, name: name.trim(), scope, startsAtMs: localInputToMs(starts), endsAtMs: localInputToMs(ends) }
        : { kind, name: name.trim(), scope, daysOfWeek: days, startTime, endTime };
    void action.run(async () => {
      await api.createMaintenance(input);
      setName('');
      onCreated();
    });
  };
  const toggleDay = (d: Weekday) => setDays((list) => (list.includes(d) ? list.filter((x) => x !== d) : WEEKDAYS.filter((x) => x === d || list.includes(x))));

  return (
    <details class="panel disclosure">
      <summary>{t('mw.new')}</summary>
      <form class="form-grid" onSubmit={submit} data-testid="maintenance-form">
        <Field label={t('mw.name')} wide>
          <input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={t('mw.namePlaceholder')} />
        </Field>
        <Field label={t('mw.covers')}>
          <select class="select" value={scopeType} onChange={(e) => (setScopeType(e.currentTarget.value as 'client' | 'device'), setScopeId(''))}>
            <option value="client">{t('mw.aClient')}</option>
            <option value="device">{t('mw.oneDevice')}</option>
          </select>
        </Field>
        <Field label={scopeType === 'client' ? t('mw.client') : t('mw.device')}>
          <select class="select" required value={scopeId} onChange={(e) => setScopeId(e.currentTarget.value)}>
            <option value="">{t('mw.choose')}</option>
            {scopeType === 'client'
              ? clients.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))
              : devices.slice(0, 500).map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.hostname}
                  </option>
                ))}
          </select>
        </Field>
        <fieldset class="field field-wide radio-group inline">
          <legend>{t('mw.when')}</legend>
          <label class="radio">
            <input type="radio" name="mw-kind" checked={kind === 'recurring'} onChange={() => setKind('recurring')} /> {t('mw.everyWeek')}
          </label>
          <label class="radio">
            <input type="radio" name="mw-kind" checked={kind === 'one-off'} onChange={() => setKind('one-off')} /> {t('mw.once')}
          </label>
        </fieldset>
        {kind === 'one-off' ? (
          <>
            <Field label={t('mw.starts')} hint={viewerTimeZone()}>
              <input type="datetime-local" required value={starts} onInput={(e) => setStarts(e.currentTarget.value)} />
            </Field>
            <Field label={t('mw.ends')} hint={viewerTimeZone()}>
              <input type="datetime-local" required value={ends} onInput={(e) => setEnds(e.currentTarget.value)} />
            </Field>
          </>
        ) : (
          <>
            <fieldset class="field field-wide days">
              <legend>{t('mw.days')}</legend>
              {WEEKDAYS.map((d) => (
                <label key={d} class="day">
                  <input type="checkbox" checked={days.includes(d)} onChange={() => toggleDay(d)} />
                  {dayName(d)}
                </label>
              ))}
            </fieldset>
            <Field label={t('mw.from')} hint={t('mw.fromHint')}>
              <input type="time" required value={startTime} onInput={(e) => setStartTime(e.currentTarget.value)} />
            </Field>
            <Field label={t('mw.until')} hint={endTime && endTime <= startTime ? t('mw.untilNextDay') : t('mw.untilSameDay')}>
              <input type="time" required value={endTime} onInput={(e) => setEndTime(e.currentTarget.value)} />
            </Field>
          </>
        )}
        <FormActions submitLabel={t('mw.create')} isDisabled={action.isBusy || !scopeId || !name.trim() || (kind === 'recurring' && days.length === 0)} />
        <ErrorNote message={action.error} />
      </form>
    </details>
  );
}

export function MaintenanceView() {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const windows = useLoad(() => api.listMaintenance(), [api]);
  const clients = useLoad(() => api.listClients(), [api]);
  const devices = useLoad(() => api.listDevices(), [api]);
  const action = useAction();
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const c of clients.data ?? []) m.set(c.id, c.name);
    for (const d of devices.data ?? []) m.set(d.id, d.hostname);
    return m;
  }, [clients.data, devices.data]);

  return (
    <section aria-labelledby="mw-title" data-testid="maintenance-page">
      <PageHead title={t('mw.title')} titleId="mw-title" subtitle={t('mw.subtitle')} />
      {canAct && clients.data && <NewWindowForm clients={clients.data} devices={devices.data ?? []} onCreated={windows.reload} />}
      <ErrorNote message={action.error} />
      {!windows.data ? (
        <LoadState status={windows.status} error={windows.error} onRetry={windows.reload} what={t('load.maintenance')} />
      ) : windows.data.length === 0 ? (
        <EmptyState title={t('mw.empty')} testId="maintenance-empty">
          <p>{t('mw.emptyBody')}</p>
        </EmptyState>
      ) : (
        <ul class="card-list" data-testid="maintenance-list">
          {windows.data.map((w) => (
            <li key={w.id} class={`card${w.isActiveNow ? ' is-active' : ''}`} data-testid="maintenance-row">
              <p class="card-title">
                <strong>{w.name}</strong> {w.isActiveNow && <span class="tag tag-active">{t('mw.activeNow')}</span>}
              </p>
              <p class="card-meta">
                <span>
                  {w.scope.type === 'client' ? (
                    <a href={clientHref(w.scope.clientId)}>{names.get(w.scope.clientId) ?? t('mw.clientFallback')}</a>
                  ) : (
                    <a href={deviceHref(w.scope.deviceId)}>{names.get(w.scope.deviceId) ?? t('mw.deviceFallback')}</a>
                  )}
                </span>
                <span>{scheduleText(w)}</span>
                <span title={formatFullTime(w.createdAtMs)}>{t('mw.by', { who: w.createdBy ?? t('mw.system') })}</span>
              </p>
              {canAct && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet card-action"
                  disabled={action.isBusy}
                  onClick={() =>
                    window.confirm(t('mw.deleteConfirm', { name: w.name })) && action.run(async () => (await api.deleteMaintenance(w.id), windows.reload()))
                  }
                >
                  {t('mw.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
