/**
 * A probed device (site probe) on its device page: which probe checks it and how often, what its
 * SNMP template read (a printer's toner and paper per colour and tray, its page count; a UPS's
 * charge, runtime and power source), and each check's latest outcome in words. Refreshed every
 * 15 s; the levels follow the live samples the page already receives.
 */
import type { DeviceDetail } from '../../../../shared/api-types.js';
import { parseSeriesKey } from '../../../../shared/metric-labels.js';
import type { CheckState, ProbedDeviceInfo } from '../../../../shared/probe.js';
import { useApp } from '../../lib/app-context.js';
import { formatDuration, formatNumber, formatRelative } from '../../lib/format.js';
import { useLoad } from '../../lib/hooks.js';
import { deviceHref } from '../../lib/router.js';
import { UsageBar } from '../../ui/usage-bar.js';
import { LoadState } from '../../ui/ui.js';
import { useEffect } from 'preact/hooks';
import { useT, type DashKey } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

const STATE_TEXT: Record<CheckState, DashKey> = { ok: 'probe.state.ok', failed: 'probe.state.failed', error: 'probe.state.error' };
const CHECK_TYPES = ['ping', 'tcp', 'http', 'tls', 'dns', 'snmp'];

/** Latest values of one metric by one label: `printer.tonerPct` by `supply` → [["black", 40], …]. */
export function byLabel(latest: Readonly<Record<string, number>>, metric: string, label: string): [string, number][] {
  const out: [string, number][] = [];
  for (const [key, value] of Object.entries(latest)) {
    const s = parseSeriesKey(key);
    if (s.name === metric && s.labels[label] !== undefined) out.push([s.labels[label]!, value]);
  }
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** "60 s", "5 min", "1 h" ("1 u" in Dutch). */
function formatInterval(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  return formatDuration(Math.round(ms / 3_600_000) * 3_600_000);
}

function checkTarget(c: ProbedDeviceInfo['checks'][number]): string {
  if (c.type === 'http') return c.url;
  if (c.type === 'dns') return c.name;
  if (c.type === 'snmp') return `${c.host}:${c.port ?? 161} (${c.template}, ${c.version})`;
  if (c.type === 'tcp') return `${c.host}:${c.port}`;
  return c.host;
}

function PrinterLevels({ latest }: { latest: Readonly<Record<string, number>> }) {
  const t = useT();
  const toner = byLabel(latest, 'printer.tonerPct', 'supply');
  const paper = byLabel(latest, 'printer.paperLevelPct', 'tray');
  const pages = latest['printer.pageCount'];
  if (toner.length === 0 && paper.length === 0 && pages === undefined) return <p class="muted">{t('probe.noSupplies')}</p>;
  return (
    <div class="probe-levels" data-testid="printer-levels">
      {toner.length > 0 && (
        <div>
          <h3>{t('probe.toner')}</h3>
          <ul class="level-list">
            {toner.map(([supply, pct]) => (
              <li key={supply} data-testid="toner-level" data-supply={supply}>
                <span class="swatch" data-colour={supply.toLowerCase()} aria-hidden="true" />
                <span class="level-name">{supply}</span>
                <UsageBar label={supply} pct={pct} isRemaining />
              </li>
            ))}
          </ul>
        </div>
      )}
      {paper.length > 0 && (
        <div>
          <h3>{t('probe.paper')}</h3>
          <ul class="level-list">
            {paper.map(([tray, pct]) => (
              <li key={tray} data-testid="paper-level">
                <span class="level-name">{tray}</span>
                <UsageBar label={tray} pct={pct} isRemaining />
              </li>
            ))}
          </ul>
        </div>
      )}
      {pages !== undefined && (
        <p class="muted" data-testid="page-count">
          {t('probe.pages', { count: t.locale === 'en' ? pages.toLocaleString('en-GB') : formatNumber(pages) })}
        </p>
      )}
    </div>
  );
}

function UpsLevels({ latest }: { latest: Readonly<Record<string, number>> }) {
  const t = useT();
  const charge = latest['ups.chargePct'];
  const runtime = latest['ups.runtimeSec'];
  const onBattery = latest['ups.isOnBattery'];
  if (charge === undefined && runtime === undefined) return <p class="muted">{t('probe.noBattery')}</p>;
  return (
    <div class="probe-levels" data-testid="ups-levels">
      <p>
        <strong>{onBattery === 1 ? t('probe.onBattery') : onBattery === 0 ? t('probe.onMains') : t('probe.powerUnknown')}</strong>
        {runtime !== undefined && t('probe.runtime', { minutes: Math.round(runtime / 60) })}
      </p>
      {charge !== undefined && (
        <p class="level-list">
          <span class="level-name">{t('probe.charge')}</span>
          <UsageBar label={t('probe.charge')} pct={charge} isRemaining />
        </p>
      )}
    </div>
  );
}

export function ProbePanel({ device }: { device: DeviceDetail }) {
  const { api } = useApp();
  const t = useT();
  const probe = useLoad((signal) => api.getProbe(device.id, signal), [api, device.id]);
  const { reload } = probe;
  useEffect(() => {
    const timer = setInterval(reload, 15_000);
    return () => clearInterval(timer);
  }, [reload]);
  const p = probe.data;
  if (!p) return <LoadState status={probe.status} error={probe.error} onRetry={probe.reload} what={t('load.probeChecks')} />;
  const results = new Map(p.results.map((r) => [r.checkId, r]));
  const nowMs = Date.now();
  return (
    <div class="probe-panel" data-testid="probe-panel">
      <p class="section-lead">
        <Msg
          k="probe.checkedBy"
          values={{ interval: formatInterval(p.intervalMs), probe: <a href={deviceHref(p.probeDeviceId)}>{p.probeHostname ?? p.probeDeviceId}</a> }}
        />
      </p>
      {!p.isProbeOnline && (
        <p class="notice probe-offline" role="status" data-testid="probe-offline">
          {t('probe.offline')}
        </p>
      )}
      {device.kind === 'printer' && <PrinterLevels latest={device.latest} />}
      {device.kind === 'ups' && <UpsLevels latest={device.latest} />}
      <h3>{t('probe.checks')}</h3>
      <ul class="check-list" data-testid="probe-checks">
        {p.checks.map((c) => {
          const r = results.get(c.id);
          return (
            <li key={c.id} data-state={r?.state ?? 'pending'} data-testid="probe-check">
              <p class="check-head">
                <span class="check-state">{r ? t(STATE_TEXT[r.state]) : t('probe.notRun')}</span>
                <strong>{CHECK_TYPES.includes(c.type) ? t(`probe.type.${c.type}` as DashKey) : c.type}</strong> <span class="muted">{checkTarget(c)}</span>
              </p>
              {r && (
                <p class="check-message">
                  {r.message} <span class="muted">· {formatRelative(r.tsMs, nowMs)}</span>
                </p>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
