/** Fleet page: every device grouped by client, coloured by its worst open problem, searchable, filterable, live. */
import { useMemo, useState } from 'preact/hooks';
import type { ContractType } from '../../../../shared/api-types.js';
import { buildFleetRows, NO_FILTERS, useFleet, type FleetFilters, type FleetStatusFilter } from '../../lib/fleet-data.js';
import { useNow } from '../../lib/hooks.js';
import { FleetEmpty } from './fleet-empty.js';
import { RefusedAgentsPanel } from './refused-agents-panel.js';
import { FleetList } from '../../ui/fleet-list.js';
import './fleet.css';

const statusFilters: { value: FleetStatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'online', label: 'Online' },
  { value: 'offline', label: 'Offline' },
];

const contractFilters: { value: ContractType | 'all'; label: string }[] = [
  { value: 'all', label: 'All contracts' },
  { value: 'monthly', label: 'Monthly' },
  { value: 'break-fix', label: 'Break-fix' },
];

export function FleetView() {
  const fleet = useFleet();
  const [filters, setFilters] = useState<FleetFilters>(NO_FILTERS);
  const nowMs = useNow(15_000);
  const { rows, counts } = useMemo(() => buildFleetRows(fleet.devices, filters), [fleet.devices, filters]);
  const set = (patch: Partial<FleetFilters>) => setFilters((f) => ({ ...f, ...patch }));

  if (fleet.status === 'loading' && fleet.devices.length === 0) {
    return (
      <div class="splash" aria-busy="true">
        Loading devices…
      </div>
    );
  }
  if (fleet.status === 'error') {
    return (
      <div class="splash" role="alert" data-testid="fleet-error">
        <p>Could not load the fleet: {fleet.error}</p>
        <button type="button" class="btn" onClick={fleet.reload}>
          Try again
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
        <h1 id="fleet-title">Fleet</h1>
        <p class="fleet-counts" data-testid="fleet-counts">
          <span>{counts.total} devices</span>
          <span class="count-online">{counts.online} online</span>
          <span class={counts.offline > 0 ? 'count-offline' : ''}>{counts.offline} offline</span>
          {counts.firingAlerts > 0 && (
            <a class="count-firing" href="#/alerts">
              {counts.firingAlerts} firing
            </a>
          )}
          {counts.openIncidents > 0 && (
            <a class="count-incidents" href="#/incidents">
              {counts.openIncidents} open incidents
            </a>
          )}
        </p>
      </div>
      <RefusedAgentsPanel />
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder="Search hostname or client…"
          aria-label="Search devices by hostname or client"
          value={filters.query}
          onInput={(e) => set({ query: e.currentTarget.value })}
          data-testid="fleet-search"
        />
        <div class="segmented" role="group" aria-label="Show devices">
          {statusFilters.map((f) => (
            <button
              key={f.value}
              type="button"
              aria-pressed={filters.status === f.value}
              onClick={() => set({ status: f.value })}
              data-testid={`filter-${f.value}`}
            >
              {f.label}
            </button>
          ))}
        </div>
        <select
          class="select"
          aria-label="Contract"
          value={filters.contract}
          onChange={(e) => set({ contract: e.currentTarget.value as FleetFilters['contract'] })}
          data-testid="filter-contract"
        >
          {contractFilters.map((f) => (
            <option key={f.value} value={f.value}>
              {f.label}
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
          With problems ({counts.withProblems})
        </label>
      </div>
      <div class="fleet-head" aria-hidden="true">
        <span>Device</span>
        <span class="fleet-head-usage">
          <span>CPU</span>
          <span>Memory</span>
          <span>Disk</span>
        </span>
        <span>Problems</span>
        <span>Last seen</span>
      </div>
      {counts.shown === 0 ? (
        <p class="no-match" data-testid="fleet-no-match">
          No devices match {filters.query ? <>“{filters.query}”</> : 'these filters'}.{' '}
          <button type="button" class="btn btn-quiet btn-small" onClick={() => setFilters(NO_FILTERS)}>
            Clear filters
          </button>
        </p>
      ) : (
        <FleetList rows={rows} nowMs={nowMs} />
      )}
      <p class="sr-only" aria-live="polite">
        {counts.shown} of {counts.total} devices shown
      </p>
    </section>
  );
}
