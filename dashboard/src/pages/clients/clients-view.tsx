/** Clients: their contract and terms at a glance, with device and problem counts; add a client. */
import { useMemo, useState } from 'preact/hooks';
import type { DeviceSummary } from '../../../../shared/api-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatMoney } from '../../lib/format.js';
import { useLoad } from '../../lib/hooks.js';
import { clientHref, navigate } from '../../lib/router.js';
import { ClientForm } from './client-form.js';
import { ContractBadge } from '../../ui/contract-badge.js';
import { ProblemCounts } from '../../ui/fleet-list.js';
import { EmptyState, LoadState, PageHead } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';

interface ClientStats {
  devices: number;
  online: number;
  firing: number;
  incidents: number;
}

function statsByClient(devices: readonly DeviceSummary[]): Map<string, ClientStats> {
  const out = new Map<string, ClientStats>();
  for (const d of devices) {
    const s = out.get(d.clientId) ?? { devices: 0, online: 0, firing: 0, incidents: 0 };
    s.devices++;
    if (d.isOnline) s.online++;
    s.firing += d.firingAlerts;
    s.incidents += d.openIncidents;
    out.set(d.clientId, s);
  }
  return out;
}

export function ClientsView() {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const clients = useLoad(() => api.listClients(), [api]);
  const devices = useLoad(() => api.listDevices(), [api]);
  const stats = useMemo(() => statsByClient(devices.data ?? []), [devices.data]);
  const [isAdding, setIsAdding] = useState(false);

  return (
    <section aria-labelledby="clients-title" data-testid="clients-page">
      <PageHead title={t('clients.title')} titleId="clients-title" subtitle={t('clients.subtitle')}>
        {canAct && !isAdding && (
          <button type="button" class="btn btn-primary" onClick={() => setIsAdding(true)} data-testid="add-client">
            {t('clients.add')}
          </button>
        )}
      </PageHead>
      {isAdding && (
        <div class="panel">
          <h2>{t('clients.new')}</h2>
          <ClientForm
            submitLabel={t('clients.create')}
            onCancel={() => setIsAdding(false)}
            onSubmit={async (input) => {
              const created = await api.createClient(input);
              navigate(clientHref(created.id));
            }}
          />
        </div>
      )}
      {!clients.data ? (
        <LoadState status={clients.status} error={clients.error} onRetry={clients.reload} what={t('load.clients')} />
      ) : clients.data.length === 0 ? (
        <EmptyState title={t('clients.empty')} testId="clients-empty">
          <p>{t('clients.emptyBody')}</p>
        </EmptyState>
      ) : (
        <ul class="card-list" data-testid="client-list">
          {clients.data.map((c) => {
            const s = stats.get(c.id);
            return (
              <li key={c.id} class="card client-card" data-testid="client-row" data-client-id={c.id}>
                <p class="card-title">
                  <a href={clientHref(c.id)}>{c.name}</a> <ContractBadge contract={c.contract} />
                </p>
                <p class="card-meta">
                  {c.contract === 'monthly' ? (
                    <span>{t('clients.perMonth', { amount: formatMoney(c.monthlyFee, c.currency) })}</span>
                  ) : (
                    <span>{t('clients.perHour', { amount: formatMoney(c.hourlyRate, c.currency) })}</span>
                  )}
                  <span>{s ? t('clients.devices', { count: s.devices, online: s.online }) : devices.data ? t('clients.noDevices') : ''}</span>
                  {s && <ProblemCounts firing={s.firing} acknowledged={0} incidents={s.incidents} />}
                </p>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
