/**
 * Patch compliance of a client's machines (GET /api/jobs/compliance): per device the last update
 * scan's counts, the last install and failed maintenance, and what needs doing.
 */
import type { DeviceCompliance } from '../../../../shared/api-types.js';
import { useApp } from '../../lib/app-context.js';
import { useLoad } from '../../lib/hooks.js';
import { href } from '../../lib/router.js';
import { Time } from '../../ui/ui.js';

const STATUS: Record<DeviceCompliance['status'], string> = {
  ok: 'up to date',
  'not-scanned': 'not scanned in 7 days',
  'security-pending': 'security updates pending',
  failing: 'maintenance failed',
};

export function ClientCompliance({ clientId }: { clientId: string }) {
  const { api } = useApp();
  const report = useLoad(() => api.getCompliance(clientId), [api, clientId]);
  const r = report.data;
  if (!r || r.devices.length === 0) return null;
  return (
    <section class="section" aria-labelledby="client-compliance-title">
      <h2 id="client-compliance-title">Patch compliance</h2>
      <div class="panel" data-testid="client-compliance">
        <p>
          <strong>
            {r.totals.ok} of {r.totals.devices} up to date
          </strong>
          {r.totals.securityPending > 0 && ` · ${r.totals.securityPending} with security updates pending`}
          {r.totals.failing > 0 && ` · ${r.totals.failing} with failed maintenance`}
          {r.totals.notScanned > 0 && ` · ${r.totals.notScanned} not scanned in 7 days`}
        </p>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>Device</th>
                <th>Status</th>
                <th>Pending (security)</th>
                <th>Last scan</th>
                <th>Last install</th>
              </tr>
            </thead>
            <tbody>
              {r.devices.map((d) => (
                <tr key={d.deviceId} data-testid="compliance-row" data-status={d.status}>
                  <td>
                    <a href={href(`/devices/${d.deviceId}`)}>{d.hostname}</a>
                  </td>
                  <td>{STATUS[d.status]}</td>
                  <td>{d.pendingUpdates === null ? '–' : `${d.pendingUpdates} (${d.securityUpdates ?? 0})`}</td>
                  <td>{d.lastScanAtMs ? <Time ms={d.lastScanAtMs} /> : '–'}</td>
                  <td>
                    {d.lastInstallState ?? '–'}
                    {d.lastInstallOkAtMs && (
                      <>
                        {' '}
                        (last ok <Time ms={d.lastInstallOkAtMs} />)
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </section>
  );
}
