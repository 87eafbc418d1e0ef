/**
 * The fleet as one windowed list: only the rows in (or near) the viewport exist in the DOM, so
 * 15,000 devices render as fast as 50. Rows have a fixed height; the page itself scrolls.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { DeviceSummary } from '../../../shared/api-types.js';
import type { FleetRow } from '../lib/fleet-data.js';
import { formatFullTime, formatRelative } from '../lib/format.js';
import { useMediaQuery } from '../lib/hooks.js';
import { deviceHref } from '../lib/router.js';
import { ContractBadge, deviceState, StatusDot } from './contract-badge.js';
import { KindTag } from './kind-tag.js';
import { UsageBar } from './usage-bar.js';
import { activeT, useT } from '../lib/i18n/index.js';

const OVERSCAN_ROWS = 12;

/** `2 alerts · 1 incident`, for a row's accessible name and tooltip. */
function describeProblems(firing: number, acknowledged: number, incidents: number): string {
  const t = activeT();
  const parts: string[] = [];
  if (firing > 0) parts.push(t('problems.firing', { count: firing }));
  if (acknowledged > 0) parts.push(t('problems.acknowledged', { count: acknowledged }));
  if (incidents > 0) parts.push(t('problems.incidents', { count: incidents }));
  return parts.length > 0 ? parts.join(', ') : t('problems.none');
}

/** Small counters of a device's (or client's) open problems. */
export function ProblemCounts({ firing, acknowledged, incidents }: { firing: number; acknowledged: number; incidents: number }) {
  if (firing + acknowledged + incidents === 0) return null;
  return (
    <span class="problems" title={describeProblems(firing, acknowledged, incidents)}>
      {firing > 0 && (
        <span class="pcount pcount-firing" data-testid="firing-count">
          <span aria-hidden="true">▲</span> {firing}
        </span>
      )}
      {acknowledged > 0 && (
        <span class="pcount pcount-acked">
          <span aria-hidden="true">✓</span> {acknowledged}
        </span>
      )}
      {incidents > 0 && (
        <span class="pcount pcount-incident" data-testid="incident-count">
          <span aria-hidden="true">●</span> {incidents}
        </span>
      )}
      <span class="sr-only">{describeProblems(firing, acknowledged, incidents)}</span>
    </span>
  );
}

function DeviceRow({ device, nowMs }: { device: DeviceSummary; nowMs: number }) {
  const t = useT();
  const health = device.worstSeverity ?? 'ok';
  const state = deviceState(device);
  // A probed device (printer, UPS, website …) has no CPU, memory or disk: its kind instead.
  const isProbed = device.kind !== undefined && device.kind !== 'agent';
  return (
    <a
      class={`device-row health-${health}${state === 'unknown' ? ' is-unknown' : device.isOnline ? '' : ' is-offline'}`}
      href={deviceHref(device.id)}
      data-testid="device-row"
      data-device-id={device.id}
      data-online={String(device.isOnline)}
      data-state={state}
      data-health={health}
    >
      <span class="device-host">
        <StatusDot isOnline={device.isOnline} isDisabled={device.isDisabled} isUnknown={device.isStatusUnknown} />
        <span class="device-hostname">{device.hostname}</span>
      </span>
      {isProbed ? (
        <span class="device-usage device-probed" data-testid="device-kind">
          <KindTag kind={device.kind!} />
          {state === 'unknown' && <span class="device-unknown">{t('fleet.row.unknown')}</span>}
        </span>
      ) : (
        <span class="device-usage">
          <UsageBar label="CPU" pct={device.cpuLoadPct} />
          <UsageBar label={t('fleet.row.mem')} pct={device.memUsedPct} />
          <UsageBar label={t('fleet.head.disk')} pct={device.diskUsedPct} />
        </span>
      )}
      <span class="device-problems">
        <ProblemCounts firing={device.firingAlerts} acknowledged={device.openAlerts - device.firingAlerts} incidents={device.openIncidents} />
      </span>
      <span class="device-seen" title={device.lastSeenMs === null ? t('fleet.row.noReport') : formatFullTime(device.lastSeenMs)} data-testid="last-seen">
        {formatRelative(device.lastSeenMs, nowMs)}
      </span>
    </a>
  );
}

function GroupRow({ row }: { row: Extract<FleetRow, { kind: 'group' }> }) {
  const t = useT();
  return (
    <div class="group-row" data-testid="client-group" data-client-id={row.clientId}>
      <h2 class="group-name">{row.clientName}</h2>
      <ContractBadge contract={row.contract} />
      <ProblemCounts firing={row.firingAlerts} acknowledged={0} incidents={row.openIncidents} />
      <span class="group-count">{t('fleet.group.count', { total: row.total, online: row.online })}</span>
    </div>
  );
}

export function FleetList({ rows, nowMs }: { rows: FleetRow[]; nowMs: number }) {
  const isNarrow = useMediaQuery('(max-width: 640px)');
  const rowHeightPx = isNarrow ? 64 : 44;
  const listRef = useRef<HTMLDivElement>(null);
  const [window_, setWindow] = useState({ start: 0, end: 40 });

  useLayoutEffect(() => {
    const update = () => {
      const el = listRef.current;
      if (!el) return;
      const topPx = el.getBoundingClientRect().top;
      const start = Math.max(0, Math.floor(-topPx / rowHeightPx) - OVERSCAN_ROWS);
      const end = Math.min(rows.length, Math.ceil((window.innerHeight - topPx) / rowHeightPx) + OVERSCAN_ROWS);
      setWindow((w) => (w.start === start && w.end === end ? w : { start, end }));
    };
    update();
    window.addEventListener('scroll', update, { passive: true });
    window.addEventListener('resize', update);
    return () => {
      window.removeEventListener('scroll', update);
      window.removeEventListener('resize', update);
    };
  }, [rows.length, rowHeightPx]);

  const visible = rows.slice(window_.start, window_.end);
  return (
    <div
      ref={listRef}
      class="fleet-list"
      style={{ height: `${rows.length * rowHeightPx}px`, '--row-h': `${rowHeightPx}px` }}
      data-testid="fleet-list"
      data-rows={rows.length}
    >
      <div class="fleet-window" style={{ transform: `translateY(${window_.start * rowHeightPx}px)` }}>
        {visible.map((row) =>
          row.kind === 'group' ? <GroupRow key={`g:${row.clientId}`} row={row} /> : <DeviceRow key={row.device.id} device={row.device} nowMs={nowMs} />,
        )}
      </div>
    </div>
  );
}
