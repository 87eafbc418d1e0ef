/**
 * Patch compliance of a client's machines (GET /api/jobs/compliance): per device the last update
 * scan's counts, the last install and failed maintenance, and what needs doing.
 */
import { useApp } from '../../lib/app-context.js';
import { useLoad } from '../../lib/hooks.js';
import { href } from '../../lib/router.js';
import { Time } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

export function ClientCompliance({ clientId }: { clientId: string }) {
  const { api } = useApp();
  const t = useT();
  const report = useLoad(() => api.getCompliance(clientId), [api, clientId]);
  const r = report.data;
  if (!r || r.devices.length === 0) return null;
  return (
    <section class="section" aria-labelledby="client-compliance-title">
      <h2 id="client-compliance-title">{t('compliance.title')}</h2>
      <div class="panel" data-testid="client-compliance">
        <p>
          <strong>{t('compliance.upToDate', { ok: r.totals.ok, total: r.totals.devices })}</strong>
          {r.totals.securityPending > 0 && t('compliance.securityPending', { count: r.totals.securityPending })}
          {r.totals.failing > 0 && t('compliance.withFailed', { count: r.totals.failing })}
          {r.totals.notScanned > 0 && t('compliance.notScanned', { count: r.totals.notScanned })}
        </p>
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th>{t('compliance.device')}</th>
                <th>{t('compliance.status')}</th>
                <th>{t('compliance.pending')}</th>
                <th>{t('compliance.lastScan')}</th>
                <th>{t('compliance.lastInstall')}</th>
              </tr>
            </thead>
            <tbody>
              {r.devices.map((d) => (
                <tr key={d.deviceId} data-testid="compliance-row" data-status={d.status}>
                  <td>
                    <a href={href(`/devices/${d.deviceId}`)}>{d.hostname}</a>
                  </td>
                  <td>{t(`compliance.${d.status}`)}</td>
                  <td>{d.pendingUpdates === null ? '–' : `${d.pendingUpdates} (${d.securityUpdates ?? 0})`}</td>
                  <td>{d.lastScanAtMs ? <Time ms={d.lastScanAtMs} /> : '–'}</td>
                  <td>
                    {d.lastInstallState ?? '–'}
                    {d.lastInstallOkAtMs && (
                      <>
                        {' '}
                        <Msg k="compliance.lastOk" values={{ time: <Time ms={d.lastInstallOkAtMs} /> }} />
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
