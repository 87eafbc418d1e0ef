/**
 * One client: terms (editable), its devices, enrollment tokens (list, revoke, create with install
 * commands), agent settings for all its machines, and the contract advisor (what the other model
 * would have cost, month by month; chart loaded on demand).
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatDate, formatMoney, formatRelative } from '../../lib/format.js';
import { useAction, useLoad, useNow } from '../../lib/hooks.js';
import { lazyView } from '../../lib/lazy.js';
import { deviceHref, href, navigate } from '../../lib/router.js';
import { ClientForm } from './client-form.js';
import { ContractBadge, StatusDot } from '../../ui/contract-badge.js';
import { KindTag } from '../../ui/kind-tag.js';
import { ClientAgentSettings } from '../../ui/agent-settings-panels.js';
import { EnrollPanel } from './enroll-panel.js';
import { DiscoveryPanel } from './discovery-panel.js';
import { ReportPanel } from './report-panel.js';
import { StatusLinksPanel } from './status-links-panel.js';
import { ClientCompliance } from './client-compliance.js';
import { ClientPolicies } from './client-policies.js';
import { EnrollmentTokens } from './enrollment-tokens.js';
import { ProblemCounts } from '../../ui/fleet-list.js';
import { EmptyState, ErrorNote, LoadState, PageHead } from '../../ui/ui.js';
import './clients.css';
import { useT } from '../../lib/i18n/index.js';

const AdvisorPanel = lazyView(() => import('./advisor-panel.js').then((m) => m.AdvisorPanel));

export function ClientDetailView({ clientId }: { clientId: string }) {
  const { api } = useApp();
  const t = useT();
  const { canAct, isAdmin } = usePermissions();
  const client = useLoad(() => api.getClient(clientId), [api, clientId]);
  const devices = useLoad(() => api.listDevices().then((all) => all.filter((d) => d.clientId === clientId)), [api, clientId]);
  const tokens = useLoad(() => api.listEnrollmentTokens(clientId), [api, clientId]);
  const [isEditing, setIsEditing] = useState(false);
  const remove = useAction();
  const nowMs = useNow(30_000);

  if (!client.data) return <LoadState status={client.status} error={client.error} onRetry={client.reload} what={t('load.thisClient')} />;
  const c = client.data;
  const terms: [string, ComponentChildren][] = [
    [t('client.contract'), <ContractBadge contract={c.contract} />],
    [t('client.fee'), formatMoney(c.monthlyFee, c.currency)],
    [t('client.rate'), formatMoney(c.hourlyRate, c.currency)],
    [t('client.timezone'), c.timezone],
    [t('client.contact'), c.contact ?? '–'],
    [t('client.since'), formatDate(c.createdAtMs)],
  ];

  return (
    <article class="record-page" data-testid="client-page" data-client-id={c.id}>
      <nav class="crumbs" aria-label={t('device.breadcrumb')}>
        <a href="#/clients">{t('nav.clients')}</a>
        <span aria-hidden="true">/</span>
        <span>{c.name}</span>
      </nav>
      <PageHead title={c.name}>
        <a class="btn btn-quiet" href={href('/billing', { client: c.id })}>
          {t('client.billing')}
        </a>
        {canAct && !isEditing && (
          <button type="button" class="btn" onClick={() => setIsEditing(true)} data-testid="edit-client">
            {t('client.edit')}
          </button>
        )}
        {isAdmin && (
          <button
            type="button"
            class="btn btn-danger"
            disabled={remove.isBusy}
            onClick={() => {
              if (!window.confirm(t('client.deleteConfirm', { name: c.name }))) return;
              void remove.run(async () => {
                await api.deleteClient(c.id);
                navigate('#/clients');
              });
            }}
          >
            {t('client.delete')}
          </button>
        )}
      </PageHead>
      <ErrorNote message={remove.error} />
      {isEditing ? (
        <div class="panel">
          <h2>{t('client.editTitle', { name: c.name })}</h2>
          <ClientForm
            client={c}
            submitLabel={t('client.save')}
            onCancel={() => setIsEditing(false)}
            onSubmit={async (input) => {
              client.setData(await api.updateClient(c.id, input));
              setIsEditing(false);
            }}
          />
          <p class="muted">{t('client.contractChange')}</p>
        </div>
      ) : (
        <dl class="facts" data-testid="client-terms">
          {terms.map(([label, value]) => (
            <div class="fact" key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}

      <section class="section" aria-labelledby="client-devices">
        <h2 id="client-devices">{t('client.devices')}</h2>
        {!devices.data ? (
          <LoadState status={devices.status} error={devices.error} onRetry={devices.reload} what={t('load.devices')} />
        ) : devices.data.length === 0 ? (
          <EmptyState title={t('client.noDevices')}>
            <p>{t('client.noDevicesBody', { name: c.name })}</p>
          </EmptyState>
        ) : (
          <ul class="card-list compact" data-testid="client-devices">
            {devices.data.map((d) => (
              <li key={d.id} class={`card health-${d.worstSeverity ?? 'ok'}`}>
                <p class="card-title">
                  <StatusDot isOnline={d.isOnline} isDisabled={d.isDisabled} isUnknown={d.isStatusUnknown} /> <a href={deviceHref(d.id)}>{d.hostname}</a>
                  {d.kind && <KindTag kind={d.kind} />}
                </p>
                <p class="card-meta">
                  <span>{d.isStatusUnknown ? t('client.statusUnknown') : t('client.lastSeen', { when: formatRelative(d.lastSeenMs, nowMs) })}</span>
                  <ProblemCounts firing={d.firingAlerts} acknowledged={d.openAlerts - d.firingAlerts} incidents={d.openIncidents} />
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section class="section" aria-labelledby="client-discovery">
        <h2 id="client-discovery">{t('client.networkDevices')}</h2>
        <DiscoveryPanel clientId={c.id} devices={devices.data ?? []} />
      </section>

      <ClientCompliance clientId={c.id} />
      <ClientPolicies client={c} />

      <section class="section" aria-labelledby="client-enroll">
        <h2 id="client-enroll">{t('client.install')}</h2>
        <EnrollmentTokens tokens={tokens} />
        {canAct && <EnrollPanel client={c} onCreated={tokens.reload} />}
      </section>

      <section class="section" aria-labelledby="client-agent">
        <h2 id="client-agent">{t('client.agent')}</h2>
        <p class="muted section-lead">{t('client.agentLead', { name: c.name })}</p>
        <ClientAgentSettings clientId={c.id} />
      </section>

      <section class="section" aria-labelledby="client-report">
        <h2 id="client-report">{t('report.title')}</h2>
        <ReportPanel client={c} />
      </section>

      <section class="section" aria-labelledby="client-status-links">
        <h2 id="client-status-links">{t('statusLink.title')}</h2>
        <StatusLinksPanel client={c} />
      </section>

      <section class="section" aria-labelledby="client-advisor">
        <h2 id="client-advisor">{t('client.advisor')}</h2>
        <AdvisorPanel client={c} />
      </section>
    </article>
  );
}
