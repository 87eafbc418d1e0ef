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

const dayNames: Record<Weekday, string> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };
// The same order as shared WEEKDAYS; not imported from there because that module pulls in zod.
const WEEKDAYS = Object.keys(dayNames) as Weekday[];

function scheduleText(w: MaintenanceWindow): string {
  if (w.kind === 'one-off') return `${formatDayMonthTime(w.startsAtMs)} – ${formatDayMonthTime(w.endsAtMs)}`;
  // An end at or before the start is the next morning (a patch night, 22:00–04:00).
  const nextDay = w.endTime <= w.startTime ? ' the next day' : '';
  return `Every ${w.daysOfWeek.map((d) => dayNames[d]).join(', ')} ${w.startTime}–${w.endTime}${nextDay} (${w.timezone})`;
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
      <summary>New maintenance window</summary>
      <form class="form-grid" onSubmit={submit} data-testid="maintenance-form">
        <Field label="Name" wide>
          <input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder="Sunday patches" />
        </Field>
        <Field label="Covers">
          <select class="select" value={scopeType} onChange={(e) => (setScopeType(e.currentTarget.value as 'client' | 'device'), setScopeId(''))}>
            <option value="client">a client (all its devices)</option>
            <option value="device">one device</option>
          </select>
        </Field>
        <Field label={scopeType === 'client' ? 'Client' : 'Device'}>
          <select class="select" required value={scopeId} onChange={(e) => setScopeId(e.currentTarget.value)}>
            <option value="">Choose…</option>
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
          <legend>When</legend>
          <label class="radio">
            <input type="radio" name="mw-kind" checked={kind === 'recurring'} onChange={() => setKind('recurring')} /> Every week
          </label>
          <label class="radio">
            <input type="radio" name="mw-kind" checked={kind === 'one-off'} onChange={() => setKind('one-off')} /> Once
          </label>
        </fieldset>
        {kind === 'one-off' ? (
          <>
            <Field label="Starts" hint={viewerTimeZone()}>
              <input type="datetime-local" required value={starts} onInput={(e) => setStarts(e.currentTarget.value)} />
            </Field>
            <Field label="Ends" hint={viewerTimeZone()}>
              <input type="datetime-local" required value={ends} onInput={(e) => setEnds(e.currentTarget.value)} />
            </Field>
          </>
        ) : (
          <>
            <fieldset class="field field-wide days">
              <legend>Days</legend>
              {WEEKDAYS.map((d) => (
                <label key={d} class="day">
                  <input type="checkbox" checked={days.includes(d)} onChange={() => toggleDay(d)} />
                  {dayNames[d]}
                </label>
              ))}
            </fieldset>
            <Field label="From" hint="client's time zone">
              <input type="time" required value={startTime} onInput={(e) => setStartTime(e.currentTarget.value)} />
            </Field>
            <Field
              label="Until"
              hint={endTime && endTime <= startTime ? 'the next day (runs across midnight)' : 'the same day; an earlier time means the next day'}
            >
              <input type="time" required value={endTime} onInput={(e) => setEndTime(e.currentTarget.value)} />
            </Field>
          </>
        )}
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={action.isBusy || !scopeId || !name.trim() || (kind === 'recurring' && days.length === 0)}>
            Create window
          </button>
        </div>
        <ErrorNote message={action.error} />
      </form>
    </details>
  );
}

export function MaintenanceView() {
  const { api } = useApp();
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
      <PageHead
        title="Maintenance windows"
        titleId="mw-title"
        subtitle="Problems during a window are recorded but nobody is paged; an alert still firing afterwards pages then."
      />
      {canAct && clients.data && <NewWindowForm clients={clients.data} devices={devices.data ?? []} onCreated={windows.reload} />}
      <ErrorNote message={action.error} />
      {!windows.data ? (
        <LoadState status={windows.status} error={windows.error} onRetry={windows.reload} what="maintenance windows" />
      ) : windows.data.length === 0 ? (
        <EmptyState title="No maintenance windows" testId="maintenance-empty">
          <p>Add one for planned work (patch nights, a server move) so it does not wake the on-call technician.</p>
        </EmptyState>
      ) : (
        <ul class="card-list" data-testid="maintenance-list">
          {windows.data.map((w) => (
            <li key={w.id} class={`card${w.isActiveNow ? ' is-active' : ''}`} data-testid="maintenance-row">
              <p class="card-title">
                <strong>{w.name}</strong> {w.isActiveNow && <span class="tag tag-active">active now</span>}
              </p>
              <p class="card-meta">
                <span>
                  {w.scope.type === 'client' ? (
                    <a href={clientHref(w.scope.clientId)}>{names.get(w.scope.clientId) ?? 'client'}</a>
                  ) : (
                    <a href={deviceHref(w.scope.deviceId)}>{names.get(w.scope.deviceId) ?? 'device'}</a>
                  )}
                </span>
                <span>{scheduleText(w)}</span>
                <span title={formatFullTime(w.createdAtMs)}>by {w.createdBy ?? 'system'}</span>
              </p>
              {canAct && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet card-action"
                  disabled={action.isBusy}
                  onClick={() =>
                    window.confirm(`Delete the window “${w.name}”?`) && action.run(async () => (await api.deleteMaintenance(w.id), windows.reload()))
                  }
                >
                  Delete
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
