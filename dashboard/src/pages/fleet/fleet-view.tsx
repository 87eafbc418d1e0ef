/** Fleet page: every device grouped by client, coloured by its worst open problem, searchable, filterable, live. */
import { useMemo, useState } from 'preact/hooks';
import type { ContractType } from '../../../../shared/api-types.js';
import { buildFleetRows, NO_FILTERS, useFleet, type FleetFilters, type FleetStatusFilter } from '../../lib/fleet-data.js';
import { useNow } from '../../lib/hooks.js';
import { FleetEmpty } from './fleet-empty.js';
import { RefusedAgentsPanel } from './refused-agents-panel.js';
import { FleetList } from '../../ui/fleet-list.js';
import './fleet.css';
import { useT, type DashKey } from '../../lib/i18n/index.js';

const statusFilters: { value: FleetStatusFilter; label: DashKey }[] = [
  { value: 'all', label: 'fleet.all' },
  { value: 'online', label: 'fleet.online' },
  { value: 'offline', label: 'fleet.offline' },
  { value: 'unknown', label: 'fleet.unknown' },
];

const contractFilters: { value: ContractType | 'all'; label: DashKey }[] = [
  { value: 'all', label: 'fleet.allContracts' },
  { value: 'monthly', label: 'fleet.monthly' },
  { value: 'break-fix', label: 'fleet.breakFix' },
];

export function FleetView() {
  const fleet = useFleet();
  const t = useT();
  const [filters, setFilters] = useState<FleetFilters>(NO_FILTERS);
  const nowMs = useNow(15_000);
  const { rows, counts } = useMemo(() => buildFleetRows(fleet.devices, filters), [fleet.devices, filters]);
  const set = (patch: Partial<FleetFilters>) => setFilters((f) => ({ ...f, ...patch }));

  if (fleet.status === 'loading' && fleet.devices.length === 0) {
    return (
      <div class="splash" aria-busy="true">
        {t('fleet.loading')}
      </div>
    );
  }
  if (fleet.status === 'error') {
    return (
      <div class="splash" role="alert" data-testid="fleet-error">
        <p>{t('fleet.loadFailed', { error: fleet.error })}</p>
        <button type="button" class="btn" onClick={fleet.reload}>
          {t('app.tryAgain')}
        </button>
      </div>
    );
  }
  if (fleet.devices.length === 0)
    return (
      <>
        <RefusedAgentsPanel />
        <FleetEmpty />
      </>
    );

  return (
    <section class="fleet" aria-labelledby="fleet-title">
      <div class="page-head">
        <h1 id="fleet-title">{t('fleet.title')}</h1>
        <p class="fleet-counts" data-testid="fleet-counts">
          <span>{t('fleet.countDevices', { count: counts.total })}</span>
          <span class="count-online">{t('fleet.countOnline', { count: counts.online })}</span>
          <span class={counts.offline > 0 ? 'count-offline' : ''}>{t('fleet.countOffline', { count: counts.offline })}</span>
          {counts.unknown > 0 && (
            <span class="count-unknown" data-testid="count-unknown">
              {t('fleet.countUnknown', { count: counts.unknown })}
            </span>
          )}
          {counts.firingAlerts > 0 && (
            <a class="count-firing" href="#/alerts">
              {t('fleet.countFiring', { count: counts.firingAlerts })}
            </a>
          )}
          {counts.openIncidents > 0 && (
            <a class="count-incidents" href="#/incidents">
              {t('fleet.countIncidents', { count: counts.openIncidents })}
            </a>
          )}
        </p>
      </div>
      <RefusedAgentsPanel />
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder={t('fleet.searchPlaceholder')}
          aria-label={t('fleet.searchLabel')}
          value={filters.query}
          onInput={(e) => set({ query: e.currentTarget.value })}
          data-testid="fleet-search"
        />
        <div class="segmented" role="group" aria-label={t('fleet.show')}>
          {/* "Unknown" only where there is something to show (probed devices whose probe is away). */}
          {statusFilters
            .filter((f) => f.value !== 'unknown' || counts.unknown > 0 || filters.status === 'unknown')
            .map((f) => (
              <button
                key={f.value}
                type="button"
                aria-pressed={filters.status === f.value}
                onClick={() => set({ status: f.value })}
                data-testid={`filter-${f.value}`}
              >
                {t(f.label)}
              </button>
            ))}
        </div>
        <select
          class="select"
          aria-label={t('fleet.contract')}
          value={filters.contract}
          onChange={(e) => set({ contract: e.currentTarget.value as FleetFilters['contract'] })}
          data-testid="filter-contract"
        >
          {contractFilters.map((f) => (
            <option key={f.value} value={f.value}>
              {t(f.label)}
            </option>
          ))}
        </select>
        <label class="check">
          <input
            type="checkbox"
            checked={filters.isProblemsOnly}
            onChange={(e) => set({ isProblemsOnly: e.currentTarget.checked })}
            data-testid="filter-problems"
          />
          {t('fleet.withProblems', { count: counts.withProblems })}
        </label>
      </div>
      <div class="fleet-head" aria-hidden="true">
        <span>{t('fleet.head.device')}</span>
        <span class="fleet-head-usage">
          <span>{t('fleet.head.cpu')}</span>
          <span>{t('fleet.head.memory')}</span>
          <span>{t('fleet.head.disk')}</span>
        </span>
        <span>{t('fleet.head.problems')}</span>
        <span>{t('fleet.head.lastSeen')}</span>
      </div>
      {counts.shown === 0 ? (
        <p class="no-match" data-testid="fleet-no-match">
          {filters.query ? t('fleet.noMatchQuery', { query: filters.query }) : t('fleet.noMatch')}{' '}
          <button type="button" class="btn btn-quiet btn-small" onClick={() => setFilters(NO_FILTERS)}>
            {t('fleet.clearFilters')}
          </button>
        </p>
      ) : (
        <FleetList rows={rows} nowMs={nowMs} />
      )}
      <p class="sr-only" aria-live="polite">
        {t('fleet.shown', { shown: counts.shown, total: counts.total })}
      </p>
    </section>
  );
}
