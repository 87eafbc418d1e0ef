/**
 * What people do to incidents: open one when a client calls, close, book and remove time, mark
 * billed, comment. Each action is one transaction recording who did it and when (the incident's
 * events and, except for comments, the audit log); listeners hear of it after the commit.
 * Incidents never queue notifications.
 */
import type { IncidentDetail, Severity, TimeEntry } from '../../shared/alert-types.js';
import type { Db } from '../store/database.js';
import type { IncidentStore } from '../store/incidents.js';
import type { ClientStore } from '../store/clients.js';
import type { DeviceStore } from '../store/devices.js';
import { HttpError } from '../lib/errors.js';
import { auditActorOf, type AuditLog } from '../audit/audit-log.js';
import { generateId } from '../lib/secrets.js';
import { localDate } from '../time/zones.js';
import type { Actor } from './alert-actions.js';

/** A new time entry; technician defaults to the actor, date to today in the client's time zone. */
export interface TimeEntryInput {
  minutes: number;
  technician?: string;
  note?: string | null;
  date?: string;
}

/** Builds the incident actions over the stores; `onChanged` hears of each committed change. */
export function createIncidentActions(deps: {
  db: Db;
  incidents: IncidentStore;
  clients: ClientStore;
  devices: DeviceStore;
  audit: AuditLog;
  now: () => number;
  onChanged?: (incidentId: string) => void;
}) {
  const { db, incidents, audit } = deps;
  const changed = (id: string): void => deps.onChanged?.(id);
  const who = auditActorOf;

  function mustFind(id: string) {
    const i = incidents.findById(id);
    if (!i) throw new HttpError(404, 'INCIDENT_NOT_FOUND', `no incident with id ${id}`);
    return i;
  }

  const open = db.transaction((input: { clientId: string; deviceId?: string; title: string; severity: Severity }, actor: Actor, atMs: number) => {
    const client = deps.clients.findById(input.clientId);
    if (!client) throw new HttpError(400, 'CLIENT_NOT_FOUND', `no client with id ${input.clientId}`);
    let snapshot: Record<string, number> = {};
    if (input.deviceId !== undefined) {
      const device = deps.devices.findById(input.deviceId);
      if (!device) throw new HttpError(400, 'DEVICE_NOT_FOUND', `no device with id ${input.deviceId}`);
      if (device.clientId !== client.id) throw new HttpError(400, 'DEVICE_NOT_IN_CLIENT', `device ${device.id} belongs to another client`);
      snapshot = device.latest;
    }
    const id = generateId();
    incidents.insert({
      id,
      source: 'manual',
      ruleId: null,
      ruleName: null,
      ruleKind: null,
      severity: input.severity,
      deviceId: input.deviceId ?? null,
      clientId: client.id,
      labelsJson: '{}',
      title: input.title,
      value: null,
      snapshot,
      isInMaintenance: false,
      isFlapping: false,
      openedAtMs: atMs,
      openedBy: actor.username,
    });
    incidents.addEvent(id, atMs, who(actor), 'opened', input.title);
    return id;
  });

  const close = db.transaction((id: string, actor: Actor, note: string | null, atMs: number) => {
    const i = mustFind(id);
    if (!incidents.closeIfOpen(id, atMs, actor.username, 'manual'))
      throw new HttpError(409, 'INCIDENT_NOT_OPEN', `incident ${id} is ${i.state}; only an open incident can be closed`);
    incidents.addEvent(id, atMs, who(actor), 'closed', note);
  });

  const bill = db.transaction((id: string, actor: Actor, atMs: number) => {
    const i = mustFind(id);
    if (i.state === 'open') throw new HttpError(409, 'INCIDENT_NOT_CLOSED', `incident ${id} is still open; close it before billing`);
    if (!incidents.billIfClosed(id, atMs, actor.username)) throw new HttpError(409, 'INCIDENT_ALREADY_BILLED', `incident ${id} is already billed`);
    incidents.addEvent(id, atMs, who(actor), 'billed', `${i.bookedMinutes} min`);
  });

  const addTime = db.transaction((id: string, actor: Actor, input: TimeEntryInput, atMs: number): TimeEntry => {
    const i = mustFind(id);
    if (i.state === 'billed') throw new HttpError(409, 'INCIDENT_BILLED', `incident ${id} is billed; its time can no longer change`);
    const timezone = deps.clients.findById(i.clientId)?.timezone ?? 'UTC';
    const entry: TimeEntry = {
      id: generateId(),
      incidentId: id,
      technician: input.technician ?? actor.username,
      minutes: input.minutes,
      note: input.note ?? null,
      date: input.date ?? localDate(atMs, timezone),
      createdAtMs: atMs,
    };
    incidents.addTimeEntry({ ...entry, createdBy: actor.username });
    incidents.addEvent(
      id,
      atMs,
      who(actor),
      'time-booked',
      `${entry.minutes} min by ${entry.technician} on ${entry.date}${entry.note ? `: ${entry.note}` : ''}`,
    );
    return entry;
  });

  const removeTime = db.transaction((id: string, entryId: string, actor: Actor, atMs: number) => {
    const i = mustFind(id);
    const entry = incidents.findTimeEntry(entryId);
    if (!entry || entry.incidentId !== id) throw new HttpError(404, 'TIME_ENTRY_NOT_FOUND', `incident ${id} has no time entry ${entryId}`);
    if (i.state === 'billed') throw new HttpError(409, 'INCIDENT_BILLED', `incident ${id} is billed; its time can no longer change`);
    incidents.deleteTimeEntry(entryId);
    incidents.addEvent(id, atMs, who(actor), 'time-removed', `${entry.minutes} min by ${entry.technician} on ${entry.date}`);
  });

  const comment = db.transaction((id: string, actor: Actor, text: string, atMs: number) => {
    mustFind(id);
    incidents.addEvent(id, atMs, who(actor), 'commented', text);
  });

  const detail = (id: string): IncidentDetail => ({
    ...mustFind(id),
    snapshot: incidents.snapshot(id),
    timeEntries: incidents.timeEntries(id),
    events: incidents.events(id),
  });

  return {
    /** Opens a manual incident (the client called). */
    open(input: { clientId: string; deviceId?: string; title: string; severity: Severity }, actor: Actor): IncidentDetail {
      const id = audit.audited(who(actor), (record) => {
        const id = open(input, actor, deps.now());
        record({
          action: 'incident.open',
          entityType: 'incident',
          entityId: id,
          summary: `opened incident "${input.title}"`,
          detail: { clientId: input.clientId, deviceId: input.deviceId ?? null, severity: input.severity },
        });
        return id;
      });
      changed(id);
      return detail(id);
    },
    /** open → closed by hand; 409 INCIDENT_NOT_OPEN otherwise. */
    close(id: string, actor: Actor, note: string | null): IncidentDetail {
      audit.audited(who(actor), (record) => {
        close(id, actor, note, deps.now());
        record({ action: 'incident.close', entityType: 'incident', entityId: id, summary: `closed incident "${mustFind(id).title}"`, detail: { note } });
      });
      changed(id);
      return detail(id);
    },
    /** closed → billed; 409 INCIDENT_NOT_CLOSED / INCIDENT_ALREADY_BILLED otherwise. */
    bill(id: string, actor: Actor): IncidentDetail {
      audit.audited(who(actor), (record) => {
        bill(id, actor, deps.now());
        const i = mustFind(id);
        record({
          action: 'incident.bill',
          entityType: 'incident',
          entityId: id,
          summary: `billed incident "${i.title}" (${i.bookedMinutes} min)`,
          detail: { bookedMinutes: i.bookedMinutes },
        });
      });
      changed(id);
      return detail(id);
    },
    /** Books time; 409 INCIDENT_BILLED once billed. */
    addTime(id: string, actor: Actor, input: TimeEntryInput): TimeEntry {
      const entry = audit.audited(who(actor), (record) => {
        const e = addTime(id, actor, input, deps.now());
        record({
          action: 'incident.time-book',
          entityType: 'incident',
          entityId: id,
          summary: `booked ${e.minutes} min by ${e.technician} on ${e.date}`,
          detail: { entryId: e.id, minutes: e.minutes, technician: e.technician, date: e.date },
        });
        return e;
      });
      changed(id);
      return entry;
    },
    removeTime(id: string, entryId: string, actor: Actor): void {
      audit.audited(who(actor), (record) => {
        removeTime(id, entryId, actor, deps.now());
        record({ action: 'incident.time-remove', entityType: 'incident', entityId: id, summary: `removed time entry ${entryId}`, detail: { entryId } });
      });
      changed(id);
    },
    comment(id: string, actor: Actor, text: string): IncidentDetail {
      comment(id, actor, text, deps.now());
      changed(id);
      return detail(id);
    },
    detail,
  };
}
export type IncidentActions = ReturnType<typeof createIncidentActions>;
