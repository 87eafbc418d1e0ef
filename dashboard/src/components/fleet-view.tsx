/** Fleet page: every device grouped by client, searchable, filterable, updated live. */
import { useMemo, useState } from 'preact/hooks';
import { buildFleetRows, useFleet, type FleetStatusFilter } from '../fleet-data.js';
import { useNow } from '../hooks.js';
import { FleetEmpty } from './fleet-empty.js';
import { FleetList } from './fleet-list.js';

const filters: { value: FleetStatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'online', label: 'Online' },
  { value: 'offline', label: 'Offline' },
];

export function FleetView() {
  const fleet = useFleet();
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<FleetStatusFilter>('all');
  const nowMs = useNow(15_000);
  const { rows, counts } = useMemo(() => buildFleetRows(fleet.devices, query, filter), [fleet.devices, query, filter]);

  if (fleet.status === 'loading' && fleet.devices.length === 0) {
    return <div class="splash" aria-busy="true">Loading devices…</div>;
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
  if (fleet.devices.length === 0) return <FleetEmpty />;

  return (
    <section class="fleet" aria-labelledby="fleet-title">
      <div class="page-head">
        <h1 id="fleet-title">Fleet</h1>
        <p class="fleet-counts" data-testid="fleet-counts">
          <span>{counts.total} devices</span>
          <span class="count-online">{counts.online} online</span>
          <span class={counts.offline > 0 ? 'count-offline' : ''}>{counts.offline} offline</span>
        </p>
      </div>
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder="Search hostname or client…"
          aria-label="Search devices by hostname or client"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          data-testid="fleet-search"
        />
        <div class="segmented" role="group" aria-label="Show devices">
          {filters.map((f) => (
            <button
              key={f.value}
              type="button"
              aria-pressed={filter === f.value}
              onClick={() => setFilter(f.value)}
              data-testid={`filter-${f.value}`}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      <div class="fleet-head" aria-hidden="true">
        <span>Device</span>
        <span class="fleet-head-usage">
          <span>CPU</span>
          <span>Memory</span>
          <span>Disk</span>
        </span>
        <span>Last seen</span>
      </div>
      {counts.shown === 0 ? (
        <p class="no-match" data-testid="fleet-no-match">
          No devices match {query ? <>“{query}”</> : 'this filter'}.
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
