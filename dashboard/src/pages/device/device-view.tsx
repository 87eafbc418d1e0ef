/**
 * Device page: header (hostname, client, status, facts), range buttons and one live chart per
 * metric group, the device's alerts and incidents, its inventory (services, processes,
 * printers, disks) when the agent reports one, its agent settings, and (technicians, admins)
 * disable/enable, credential rotation and moving it to another client. While open, the live
 * socket is subscribed to this device only.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { DeviceDetail } from '../../../../shared/api-types.js';
import { formatSeriesKey } from '../../../../shared/metrics.js';
import { ApiError, describeError } from '../../lib/api.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { chartsForSeries, RANGES, type RangeId } from '../../lib/chart-defs.js';
import { formatFullTime, formatRelative } from '../../lib/format.js';
import { useNow } from '../../lib/hooks.js';
import { createSampleBus } from '../../lib/sample-bus.js';
import { readInventory } from './inventory.js';
import { clientHref } from '../../lib/router.js';
import { DeviceAgentSettings } from '../../ui/agent-settings-panels.js';
import { ContractBadge, deviceState, StatusDot } from '../../ui/contract-badge.js';
import { DeviceAdmin } from './device-admin.js';
import { DeviceJobs } from './device-jobs.js';
import { DeviceFacts } from './device-facts.js';
import { DeviceInventory } from './device-inventory.js';
import { DeviceProblems } from './device-problems.js';
import { ProblemCounts } from '../../ui/fleet-list.js';
import { MetricChart } from './metric-chart.js';
import { ProbePanel } from './probe-panel.js';
import './device.css';
import { useT } from '../../lib/i18n/index.js';

const rangeKey = 'qp.range';

function readRange(): RangeId {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(rangeKey);
  } catch {
    // storage blocked: use the default
  }
  return RANGES.find((r) => r.id === stored)?.id ?? '1h';
}

export function DeviceView({ deviceId }: { deviceId: string }) {
  const { api, live } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const [device, setDevice] = useState<DeviceDetail | null>(null);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [rangeId, setRangeId] = useState<RangeId>(readRange);
  const bus = useMemo(createSampleBus, [deviceId]);
  // True once the server acknowledged the subscription to this device (samples stream from then on).
  const [isStreaming, setIsStreaming] = useState(false);
  const nowMs = useNow(15_000);

  useEffect(() => {
    let isCurrent = true;
    api.getDevice(deviceId).then(
      (d) => isCurrent && setDevice(d),
      (err: unknown) => isCurrent && setError(err instanceof Error ? err : new Error(describeError(err))),
    );
    return () => {
      isCurrent = false;
    };
  }, [api, deviceId]);

  useEffect(() => {
    setIsStreaming(false);
    const offSubscribed = live.on('subscribed', (msg) => setIsStreaming(msg.deviceIds.includes(deviceId)));
    live.subscribe([deviceId]);
    const offSamples = live.on('samples', (msg) => {
      if (msg.deviceId !== deviceId) return;
      bus.publish(msg);
      setDevice((d) => {
        if (!d) return d;
        const latest = { ...d.latest };
        for (const s of msg.metrics) latest[formatSeriesKey(s.name, s.labels)] = s.value;
        return { ...d, latest };
      });
    });
    const offDevices = live.on('devices', (msg) => {
      const summary = msg.devices.find((d) => d.id === deviceId);
      if (summary) setDevice((d) => (d ? { ...d, ...summary } : d));
    });
    return () => {
      offSubscribed();
      offSamples();
      offDevices();
      live.subscribe([]);
    };
  }, [live, deviceId, bus]);

  const charts = useMemo(() => chartsForSeries(device?.series ?? [], device?.kind !== undefined && device.kind !== 'agent'), [device?.series, device?.kind]);
  const inventory = useMemo(() => readInventory(device), [device]);

  if (error) {
    const isMissing = error instanceof ApiError && error.status === 404;
    return (
      <div class="splash" role="alert" data-testid="device-error">
        <h1>{isMissing ? t('device.notFound') : t('device.loadFailed')}</h1>
        <p>{error.message}</p>
        <a href="#/">{t('app.notFound.back')}</a>
      </div>
    );
  }
  if (!device)
    return (
      <div class="splash" aria-busy="true">
        {t('device.loading')}
      </div>
    );

  const range = RANGES.find((r) => r.id === rangeId) ?? RANGES[0];
  const selectRange = (id: RangeId) => {
    setRangeId(id);
    try {
      localStorage.setItem(rangeKey, id);
    } catch {
      // storage blocked: the choice lasts for this page only
    }
  };
  const isProbed = device.kind !== undefined && device.kind !== 'agent';
  const status = deviceState(device);
  const statusText = t(`device.${status}`);

  return (
    <article class="device" data-testid="device-page" data-device-id={device.id} data-streaming={String(isStreaming)}>
      <nav class="crumbs" aria-label={t('device.breadcrumb')}>
        <a href="#/">{t('nav.fleet')}</a>
        <span aria-hidden="true">/</span>
        <a href={clientHref(device.clientId)}>{device.clientName}</a>
      </nav>
      <header class="device-head">
        <div class="device-title">
          <h1 data-testid="device-hostname">
            <StatusDot isOnline={device.isOnline} isDisabled={device.isDisabled} isUnknown={device.isStatusUnknown} />
            {device.hostname}
          </h1>
          <p class="device-meta">
            <span class="status-text" data-state={status} data-testid="device-status">
              {statusText}
            </span>
            <span>
              {device.clientName} <ContractBadge contract={device.contract} />
            </span>
            <span title={device.lastSeenMs === null ? t('fleet.row.noReport') : formatFullTime(device.lastSeenMs)}>
              {t('device.lastSeen', { when: formatRelative(device.lastSeenMs, nowMs) })}
            </span>
            <ProblemCounts firing={device.firingAlerts} acknowledged={device.openAlerts - device.firingAlerts} incidents={device.openIncidents} />
          </p>
        </div>
        <div class="segmented range-buttons" role="group" aria-label={t('device.timeRange')}>
          {RANGES.map((r) => (
            <button key={r.id} type="button" aria-pressed={r.id === rangeId} onClick={() => selectRange(r.id)} data-testid={`range-${r.id}`}>
              {t(r.label)}
            </button>
          ))}
        </div>
      </header>
      <DeviceFacts device={device} />
      {isProbed && (
        <section class="section" aria-labelledby="device-probe-title">
          <h2 id="device-probe-title">
            {t(device.kind === 'printer' ? 'device.section.printer' : device.kind === 'ups' ? 'device.section.ups' : 'device.section.checks')}
          </h2>
          <ProbePanel device={device} />
        </section>
      )}
      <section class="charts" aria-label={t('device.metrics')}>
        {charts.map((def) => (
          <MetricChart key={def.id} deviceId={device.id} def={def} rangeMs={range.ms} intervalMs={device.intervalMs} bus={bus} />
        ))}
      </section>
      <section class="section" aria-labelledby="device-problems-title">
        <h2 id="device-problems-title">{t('device.section.problems')}</h2>
        <DeviceProblems deviceId={device.id} nowMs={nowMs} />
      </section>
      {inventory && (
        <section class="section" aria-labelledby="device-inventory-title">
          <h2 id="device-inventory-title">{t('device.section.inventory')}</h2>
          <DeviceInventory inventory={inventory} nowMs={nowMs} />
        </section>
      )}
      {!isProbed && (
        <section class="section" aria-labelledby="device-jobs-title">
          <h2 id="device-jobs-title">{t('device.section.maintenance')}</h2>
          <DeviceJobs device={device} />
        </section>
      )}
      {!isProbed && (
        <section class="section" aria-labelledby="device-agent-title">
          <h2 id="device-agent-title">{t('device.section.agent')}</h2>
          <DeviceAgentSettings deviceId={device.id} />
        </section>
      )}
      {canAct && (
        <section class="section" aria-labelledby="device-manage-title">
          <h2 id="device-manage-title">{t('device.section.manage')}</h2>
          <DeviceAdmin device={device} onChanged={(summary) => setDevice((d) => (d ? { ...d, ...summary } : d))} />
        </section>
      )}
    </article>
  );
}
