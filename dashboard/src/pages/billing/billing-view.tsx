/**
 * Monthly billing per client: the time booked on its incidents in a month (by work date) × the
 * client's hourly rate, from GET /api/reports/billing. Closed incidents can be marked billed here.
 */
import { useEffect } from 'preact/hooks';
import type { BillingReport } from '../../../../shared/alert-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatDate, formatMinutes, formatMoney, formatMonth, thisMonthIso } from '../../lib/format.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { href, incidentHref, navigate } from '../../lib/router.js';
import { ContractBadge } from '../../ui/contract-badge.js';
import { EmptyState, ErrorNote, Field, LoadState, PageHead, StateBadge } from '../../ui/ui.js';
import './billing.css';
import { csvUrl } from '../../lib/api-reports.js';
import { activeT, useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';
import { incidentTitleText } from '../../lib/problem-text.js';

/** The client's rounding in words: "each entry rounded up to 15 min, at least 30 min per incident". */
function roundingRule({ incrementMin, minimumMin }: BillingReport['rounding']): string {
  return activeT()('billing.rounding', {
    increment: incrementMin > 1 ? formatMinutes(incrementMin) : 'none',
    minimum: minimumMin > 0 ? formatMinutes(minimumMin) : 'none',
  });
}

function Report({ report, onChanged }: { report: BillingReport; onChanged: () => void }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const action = useAction();
  if (report.incidents.length === 0) {
    return (
      <EmptyState title={t('billing.empty', { client: report.clientName, month: formatMonth(report.month) })} testId="billing-empty">
        <p>{t('billing.emptyBody')}</p>
      </EmptyState>
    );
  }
  return (
    <>
      <div class="table-wrap">
        <table class="table billing" data-testid="billing-table">
          <thead>
            <tr>
              <th scope="col">{t('billing.incident')}</th>
              <th scope="col" class="hide-narrow">
                {t('billing.opened')}
              </th>
              <th scope="col" class="hide-narrow">
                {t('billing.state')}
              </th>
              <th scope="col" class="num hide-narrow">
                {t('billing.time')}
              </th>
              <th scope="col" class="num">
                {t('billing.billed')}
              </th>
              <th scope="col" class="num">
                {t('billing.amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {report.incidents.map((r) => (
              <tr key={r.incidentId} data-testid="billing-row" data-incident-id={r.incidentId}>
                <td>
                  <a href={incidentHref(r.incidentId)}>{incidentTitleText(r.title)}</a>
                  {/* On a phone the state column is hidden: the badge goes beside the title. */}
                  <span class="billing-state-inline">
                    <StateBadge state={r.state} />
                  </span>
                  {r.notes.length > 0 && (
                    <ul class="billing-notes" aria-label={t('billing.notes')} data-testid="billing-notes">
                      {r.notes.map((n, k) => (
                        <li key={k}>{n}</li>
                      ))}
                    </ul>
                  )}
                </td>
                <td class="nowrap hide-narrow">{formatDate(r.openedAtMs)}</td>
                <td class="hide-narrow">
                  <StateBadge state={r.state} />
                  {canAct && r.state === 'closed' && (
                    <button
                      type="button"
                      class="btn btn-quiet btn-small"
                      disabled={action.isBusy}
                      onClick={() =>
                        action.run(async () => {
                          await api.billIncident(r.incidentId);
                          onChanged();
                        })
                      }
                    >
                      {t('billing.markBilled')}
                    </button>
                  )}
                </td>
                <td class="num hide-narrow" data-testid="billing-booked">
                  {formatMinutes(r.minutes)}
                </td>
                <td class="num" data-testid="billing-billed">
                  {formatMinutes(r.billedMinutes)}
                </td>
                <td class="num">{formatMoney(r.amount, report.currency)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('billing.total', { rate: formatMoney(report.hourlyRate, report.currency) })}</th>
              <td class="hide-narrow" />
              <td class="hide-narrow" />
              <td class="num hide-narrow">{formatMinutes(report.totalMinutes)}</td>
              <td class="num" data-testid="billing-billed-total">
                {formatMinutes(report.totalBilledMinutes)}
              </td>
              <td class="num" data-testid="billing-total">
                {formatMoney(report.totalAmount, report.currency)}
              </td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p class="billing-rounding muted" data-testid="billing-rounding">
        {roundingRule(report.rounding)}
      </p>
      <ErrorNote message={action.error} />
    </>
  );
}

/** Every client in one month: revenue, effort booked, what that effort cost and the profit. */
function AllClients({ month }: { month: string }) {
  const { api } = useApp();
  const t = useT();
  const all = useLoad(() => api.billingAll(month), [api, month]);
  return (
    <section class="section" aria-labelledby="billing-all-title">
      <h2 id="billing-all-title">{t('all.title', { month: formatMonth(month) })}</h2>
      <p class="muted section-lead">{t('all.lead')}</p>
      {!all.data ? (
        <LoadState status={all.status} error={all.error} onRetry={all.reload} what={t('load.billing')} />
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="billing-all">
            <thead>
              <tr>
                <th>{t('all.client')}</th>
                <th class="num">{t('all.revenue')}</th>
                <th class="num">{t('all.effort')}</th>
                <th class="num">{t('all.effortCost')}</th>
                <th class="num">{t('all.profit')}</th>
              </tr>
            </thead>
            <tbody>
              {all.data.clients.map((c) => (
                <tr key={c.clientId} data-testid="billing-all-row">
                  <td>
                    <a href={href('/billing', { client: c.clientId, month })}>{c.clientName}</a> <ContractBadge contract={c.contract} />
                  </td>
                  <td class="num">{formatMoney(c.revenue, c.currency)}</td>
                  <td class="num">{c.effortMinutes === 0 ? '–' : formatMinutes(c.effortMinutes)}</td>
                  <td class="num">{c.profit === null ? '–' : formatMoney(c.effortCost, c.currency)}</td>
                  <td class="num" data-sign={c.profit === null ? 'none' : c.profit < 0 ? 'loss' : 'profit'}>
                    {c.profit === null ? <span class="muted">{t('all.noRate')}</span> : formatMoney(c.profit, c.currency)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function BillingView({ clientId, month }: { clientId: string | null; month: string | null }) {
  const { api, live } = useApp();
  const t = useT();
  const clients = useLoad(() => api.listClients(), [api]);
  const sorted = [...(clients.data ?? [])].sort((a, b) => (a.contract === b.contract ? a.name.localeCompare(b.name) : a.contract === 'break-fix' ? -1 : 1));
  const selected = clientId ?? sorted[0]?.id ?? null;
  const selectedMonth = month && /^\d{4}-\d{2}$/.test(month) ? month : thisMonthIso();
  const report = useLoad(() => (selected ? api.billing(selected, selectedMonth) : Promise.resolve(null)), [api, selected, selectedMonth]);
  const reloadReport = report.reload;
  useEffect(
    () => live.on('incidents', (m) => (m.isResync || m.incidents.some((i) => i.clientId === selected)) && reloadReport()),
    [live, selected, reloadReport],
  );
  const go = (client: string | null, m: string) => navigate(href('/billing', { client, month: m }), true);
  const client = sorted.find((c) => c.id === selected);

  return (
    <section aria-labelledby="billing-title" data-testid="billing-page">
      <PageHead title={t('billing.title')} titleId="billing-title" subtitle={t('billing.subtitle')} />
      {clients.status !== 'ready' ? (
        <LoadState status={clients.status} error={clients.error} onRetry={clients.reload} what={t('load.clients')} />
      ) : sorted.length === 0 ? (
        <EmptyState title={t('billing.noClients')}>
          <p>
            <Msg k="billing.noClientsBody" values={{ link: <a href="#/clients">{t('billing.addClient')}</a> }} />
          </p>
        </EmptyState>
      ) : (
        <>
          <div class="toolbar">
            <Field label={t('billing.client')}>
              <select class="select" value={selected ?? ''} onChange={(e) => go(e.currentTarget.value, selectedMonth)} data-testid="billing-client">
                {sorted.map((c) => (
                  <option key={c.id} value={c.id}>
                    {t('billing.clientOption', { name: c.name, contract: c.contract })}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('billing.month')}>
              <input
                type="month"
                value={selectedMonth}
                max={thisMonthIso()}
                onInput={(e) => e.currentTarget.value && go(selected, e.currentTarget.value)}
                data-testid="billing-month"
              />
            </Field>
          </div>
          {client && (
            <p class="billing-terms">
              <ContractBadge contract={client.contract} /> {t('billing.terms', { client: client.name, rate: formatMoney(client.hourlyRate, client.currency) })}
              {client.contract === 'monthly' && t('billing.monthlyFee', { fee: formatMoney(client.monthlyFee, client.currency) })}
            </p>
          )}
          {report.data ? (
            <Report report={report.data} onChanged={report.reload} />
          ) : (
            <LoadState status={report.status} error={report.error} onRetry={report.reload} what={t('load.billing')} />
          )}
          {client && (
            <p class="button-row billing-exports" data-testid="billing-exports">
              <span class="muted">{t('all.exports', { client: client.name })}:</span>
              <a class="btn btn-small" href={csvUrl('billing', client.id, selectedMonth)} download data-testid="billing-csv">
                {t('all.billingCsv')}
              </a>
              <a class="btn btn-small" href={csvUrl('time-entries', client.id, selectedMonth)} download data-testid="time-csv">
                {t('all.timeCsv')}
              </a>
            </p>
          )}
          <AllClients month={selectedMonth} />
        </>
      )}
    </section>
  );
}
