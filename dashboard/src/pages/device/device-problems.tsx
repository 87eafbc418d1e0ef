/**
 * A device's alerts (monthly clients) and incidents (break-fix), newest first, live: a rule
 * crossing on this device shows up here within a second of the report that crossed it.
 */
import type { Alert, Incident } from '../../../../shared/alert-types.js';
import { useApp } from '../../lib/app-context.js';
import { useLiveAlerts, useLiveIncidents } from '../../lib/live-list.js';
import { AlertRow } from '../../ui/alert-row.js';
import { IncidentRow } from '../../ui/incident-row.js';
import { EmptyState } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';

type Entry = { kind: 'alert'; at: number; alert: Alert } | { kind: 'incident'; at: number; incident: Incident };

export function DeviceProblems({ deviceId, nowMs }: { deviceId: string; nowMs: number }) {
  const { api } = useApp();
  const t = useT();
  const alerts = useLiveAlerts(
    () => api.listAlerts({ device: deviceId, limit: 50 }),
    (a) => a.deviceId === deviceId,
    [api, deviceId],
  );
  const incidents = useLiveIncidents(
    () => api.listIncidents({ device: deviceId, limit: 50 }),
    (i) => i.deviceId === deviceId,
    [api, deviceId],
  );
  const entries: Entry[] = [
    ...alerts.rows.map((a): Entry => ({ kind: 'alert', at: a.openedAtMs, alert: a })),
    ...incidents.rows.map((i): Entry => ({ kind: 'incident', at: i.openedAtMs, incident: i })),
  ].sort((x, y) => y.at - x.at);

  if (alerts.status === 'loading' || incidents.status === 'loading') return <p class="muted">{t('device.problems.loading')}</p>;
  if (alerts.status === 'error' || incidents.status === 'error') return <p class="form-error">{alerts.error || incidents.error}</p>;
  if (entries.length === 0) {
    return (
      <EmptyState title={t('device.problems.empty')} testId="device-problems-empty">
        <p>{t('device.problems.emptyBody')}</p>
      </EmptyState>
    );
  }
  return (
    <ul class="record-list" data-testid="device-problems">
      {entries.map((e) =>
        e.kind === 'alert' ? (
          <AlertRow key={e.alert.id} alert={e.alert} nowMs={nowMs} onChanged={alerts.upsert} isDeviceShown={false} />
        ) : (
          <IncidentRow key={e.incident.id} incident={e.incident} nowMs={nowMs} isDeviceShown={false} />
        ),
      )}
    </ul>
  );
}
