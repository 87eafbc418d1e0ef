/**
 * Network discovery on the client page (site probe): a technician has one of the client's own
 * machines scan its network for devices that answer SNMP, watches the scan's progress, and adopts
 * what it found — printers, UPSes, switches — in one click each. Only private and loopback ranges
 * are accepted (the server says why otherwise); the credential is sent once and never shown again.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DeviceSummary } from '../../../../shared/api-types.js';
import type { DiscoveryScanInfo, ScanState } from '../../../../shared/discovery-constants.js';
import { DEFAULT_SCAN_RATE_PER_SEC } from '../../../../shared/discovery-constants.js';
import { PROBED_DEVICE_KINDS, type ProbedDeviceKind } from '../../../../shared/probe-constants.js';
import { describeError } from '../../lib/api.js';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { formatRelative } from '../../lib/format.js';
import { useLoad } from '../../lib/hooks.js';
import { deviceHref } from '../../lib/router.js';
import { ErrorNote, Field, LoadState } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { activeT, useT, type DashKey } from '../../lib/i18n/index.js';

const kindText = (k: ProbedDeviceKind | '' | undefined): string | undefined =>
  k && (PROBED_DEVICE_KINDS as readonly string[]).includes(k) ? activeT()(`disc.kind.${k}` as DashKey) : undefined;
const ADOPTABLE = PROBED_DEVICE_KINDS.filter((k) => k !== 'website');

/** One line on where a scan stands. */
export function scanStatusText(s: Pick<DiscoveryScanInfo, 'state' | 'scanned' | 'total' | 'found'>): string {
  const t = activeT();
  const found = t('disc.found', { count: s.found.length });
  const key: Record<ScanState, DashKey> = { running: 'disc.running', done: 'disc.done', cancelled: 'disc.cancelled', expired: 'disc.expired' };
  return t(key[s.state], { scanned: s.scanned, total: s.total, found });
}

/** Ranges as typed: separated by commas, spaces or new lines. */
export function splitRanges(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
}

function ScanForm({ clientId, probes, onStarted }: { clientId: string; probes: DeviceSummary[]; onStarted: () => void }) {
  const { api } = useApp();
  const t = useT();
  const [probeId, setProbeId] = useState(probes.find((p) => p.isOnline)?.id ?? probes[0]?.id ?? '');
  const [ranges, setRanges] = useState('');
  const [version, setVersion] = useState<'v2c' | 'v3'>('v2c');
  const [community, setCommunity] = useState('');
  const [v3, setV3] = useState({ user: '', authKey: '', privKey: '' });
  const [rate, setRate] = useState(String(DEFAULT_SCAN_RATE_PER_SEC));
  const [port, setPort] = useState('161');
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState('');

  const submit = async (e: Event) => {
    e.preventDefault();
    setIsBusy(true);
    setError('');
    try {
      await api.startDiscoveryScan(clientId, {
        probeDeviceId: probeId,
        ranges: splitRanges(ranges),
        version,
        ...(version === 'v2c' ? { community } : { v3: { user: v3.user, authKey: v3.authKey, privKey: v3.privKey } }),
        ratePerSec: Number(rate),
        port: Number(port),
      });
      setCommunity('');
      setV3({ user: v3.user, authKey: '', privKey: '' });
      onStarted();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setIsBusy(false);
    }
  };
  const isComplete =
    probeId !== '' && splitRanges(ranges).length > 0 && (version === 'v2c' ? community !== '' : v3.user !== '' && v3.authKey !== '' && v3.privKey !== '');
  return (
    <form class="panel discovery-form" onSubmit={submit} data-testid="discovery-form">
      <div class="form-grid">
        <Field label={t('disc.probe')} hint={t('disc.probeHint')}>
          <select value={probeId} onChange={(e) => setProbeId((e.target as HTMLSelectElement).value)} data-testid="discovery-probe">
            {probes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.hostname}
                {p.isOnline ? '' : t('disc.offline')}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('disc.addresses')} hint={t('disc.addressesHint')}>
          <input
            value={ranges}
            onInput={(e) => setRanges((e.target as HTMLInputElement).value)}
            placeholder="192.168.1.0/24"
            autocomplete="off"
            data-testid="discovery-ranges"
          />
        </Field>
        <Field label={t('disc.version')}>
          <select value={version} onChange={(e) => setVersion((e.target as HTMLSelectElement).value as 'v2c' | 'v3')} data-testid="discovery-version">
            <option value="v2c">{t('disc.v2c')}</option>
            <option value="v3">{t('disc.v3')}</option>
          </select>
        </Field>
        {version === 'v2c' ? (
          <Field label={t('disc.community')} hint={t('disc.communityHint')}>
            <input
              type="password"
              value={community}
              onInput={(e) => setCommunity((e.target as HTMLInputElement).value)}
              autocomplete="off"
              data-testid="discovery-community"
            />
          </Field>
        ) : (
          <>
            <Field label={t('disc.v3user')}>
              <input value={v3.user} onInput={(e) => setV3({ ...v3, user: (e.target as HTMLInputElement).value })} autocomplete="off" />
            </Field>
            <Field label={t('disc.authKey')}>
              <input type="password" value={v3.authKey} onInput={(e) => setV3({ ...v3, authKey: (e.target as HTMLInputElement).value })} autocomplete="off" />
            </Field>
            <Field label={t('disc.privKey')}>
              <input type="password" value={v3.privKey} onInput={(e) => setV3({ ...v3, privKey: (e.target as HTMLInputElement).value })} autocomplete="off" />
            </Field>
          </>
        )}
        <Field label={t('disc.port')} hint={t('disc.portHint')}>
          <input type="number" min={1} max={65535} value={port} onInput={(e) => setPort((e.target as HTMLInputElement).value)} data-testid="discovery-port" />
        </Field>
        <Field label={t('disc.speed')} hint={t('disc.speedHint')}>
          <input type="number" min={1} max={100} value={rate} onInput={(e) => setRate((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      {error && <ErrorNote message={error} testId="discovery-error" />}
      <FormActions submitLabel={isBusy ? t('disc.starting') : t('disc.scan')} isDisabled={isBusy || !isComplete} testId="discovery-start" />
    </form>
  );
}

function FoundRow({ scanId, f, canAct, onAdopted }: { scanId: string; f: DiscoveryScanInfo['found'][number]; canAct: boolean; onAdopted: () => void }) {
  const { api } = useApp();
  const t = useT();
  const [kind, setKind] = useState<ProbedDeviceKind | ''>(f.kindGuess ?? '');
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState('');
  const adopt = async () => {
    setIsBusy(true);
    setError('');
    try {
      await api.adoptDiscovered(scanId, f.address, kind ? { kind } : {});
      onAdopted();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setIsBusy(false);
    }
  };
  return (
    <tr data-testid="found-row" data-address={f.address}>
      <td class="mono">{f.address}</td>
      <td>{f.sysName ?? <span class="muted">{t('disc.noName')}</span>}</td>
      <td class="found-descr">
        {f.refusal ? (
          <span class="found-refused" data-testid="found-refused">
            {t('disc.refused', { why: f.refusal.replace(/-/g, '_') })}
          </span>
        ) : (
          f.sysDescr
        )}
      </td>
      <td>
        {f.refusal ? (
          '–'
        ) : f.deviceId ? (
          (kindText(f.kindGuess ?? kind) ?? '–')
        ) : (
          <select
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value as ProbedDeviceKind)}
            aria-label={t('disc.kindOf', { address: f.address })}
            disabled={!canAct}
          >
            {!f.kindGuess && <option value="">{t('disc.choose')}</option>}
            {ADOPTABLE.map((k) => (
              <option key={k} value={k}>
                {kindText(k)}
              </option>
            ))}
          </select>
        )}
      </td>
      <td>
        {f.deviceId ? (
          <a href={deviceHref(f.deviceId)} data-testid="found-device-link">
            {t('disc.monitored', { name: f.deviceName ?? '' })}
          </a>
        ) : canAct && !f.refusal ? (
          <button type="button" class="btn btn-small" disabled={isBusy || !kind} onClick={adopt} data-testid="found-adopt">
            {isBusy ? t('disc.adding') : t('disc.monitor')}
          </button>
        ) : null}
        {error && <ErrorNote message={error} />}
      </td>
    </tr>
  );
}

function ScanCard({ scan, canAct, onChanged }: { scan: DiscoveryScanInfo; canAct: boolean; onChanged: () => void }) {
  const { api } = useApp();
  const t = useT();
  const [error, setError] = useState('');
  const nowMs = Date.now();
  const cancel = async () => {
    try {
      await api.cancelDiscoveryScan(scan.id);
      onChanged();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const pct = scan.total > 0 ? Math.round((scan.scanned / scan.total) * 100) : 100;
  return (
    <div class="panel scan-card" data-testid="discovery-scan" data-state={scan.state}>
      <p class="scan-head">
        <strong>{scan.ranges.join(', ')}</strong>
        <span class="muted">
          {' '}
          {t('disc.meta', { probe: scan.probeHostname ?? scan.probeDeviceId, version: scan.version, when: formatRelative(scan.createdAtMs, nowMs) })}
          {scan.requestedBy ? t('disc.by', { who: scan.requestedBy }) : ''}
        </span>
      </p>
      <p class="scan-status" data-testid="discovery-status">
        {scanStatusText(scan)}
        {scan.state === 'running' && canAct && (
          <button type="button" class="btn btn-quiet btn-small" onClick={cancel}>
            {t('disc.cancel')}
          </button>
        )}
      </p>
      {scan.state === 'running' && (
        <div class="scan-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={t('disc.progress')}>
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      {error && <ErrorNote message={error} />}
      {scan.found.length > 0 && (
        <div class="table-wrap">
          <table class="table found-table" data-testid="found-table">
            <thead>
              <tr>
                <th>{t('disc.address')}</th>
                <th>{t('disc.name')}</th>
                <th>{t('disc.descr')}</th>
                <th>{t('disc.kind')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {scan.found.map((f) => (
                <FoundRow key={f.address} scanId={scan.id} f={f} canAct={canAct} onAdopted={onChanged} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

export function DiscoveryPanel({ clientId, devices }: { clientId: string; devices: readonly DeviceSummary[] }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const scans = useLoad((signal) => api.listDiscoveryScans(clientId, signal), [api, clientId]);
  const isRunning = scans.data?.some((s) => s.state === 'running') ?? false;
  const { reload } = scans;
  useEffect(() => {
    if (!isRunning) return;
    const timer = setInterval(reload, 1_500);
    return () => clearInterval(timer);
  }, [isRunning, reload]);
  const probes = devices.filter((d) => (d.kind === undefined || d.kind === 'agent') && !d.isDisabled);
  return (
    <div data-testid="discovery-panel">
      <p class="muted section-lead">{t('disc.intro')}</p>
      {canAct && (probes.length === 0 ? <p class="muted">{t('disc.needAgent')}</p> : <ScanForm clientId={clientId} probes={probes} onStarted={reload} />)}
      {!scans.data ? (
        <LoadState status={scans.status} error={scans.error} onRetry={reload} what={t('load.discovery')} />
      ) : (
        scans.data.slice(0, 5).map((s) => <ScanCard key={s.id} scan={s} canAct={canAct} onChanged={reload} />)
      )}
    </div>
  );
}
