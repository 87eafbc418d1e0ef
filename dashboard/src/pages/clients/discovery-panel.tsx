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

const KIND_TEXT: Record<ProbedDeviceKind, string> = {
  printer: 'Printer',
  ups: 'UPS',
  switch: 'Switch',
  firewall: 'Firewall',
  nas: 'NAS',
  website: 'Website',
};
const ADOPTABLE = PROBED_DEVICE_KINDS.filter((k) => k !== 'website');

/** One line on where a scan stands. */
export function scanStatusText(s: Pick<DiscoveryScanInfo, 'state' | 'scanned' | 'total' | 'found'>): string {
  const found = `${s.found.length} ${s.found.length === 1 ? 'device' : 'devices'} found`;
  const words: Record<ScanState, string> = {
    running: `Scanning: ${s.scanned} of ${s.total} addresses, ${found}`,
    done: `Done: ${s.total} addresses scanned, ${found}`,
    cancelled: `Cancelled after ${s.scanned} of ${s.total} addresses, ${found}`,
    expired: `Stopped: the probe did not finish in time (${s.scanned} of ${s.total} addresses), ${found}`,
  };
  return words[s.state];
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
        <Field label="Probe" hint="A machine of this client on the network to scan; it needs UDP 161 to the devices.">
          <select value={probeId} onChange={(e) => setProbeId((e.target as HTMLSelectElement).value)} data-testid="discovery-probe">
            {probes.map((p) => (
              <option key={p.id} value={p.id}>
                {p.hostname}
                {p.isOnline ? '' : ' (offline)'}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Addresses" hint="Private ranges only, e.g. 192.168.1.0/24 or 10.0.5.20; at most 1,024 addresses.">
          <input
            value={ranges}
            onInput={(e) => setRanges((e.target as HTMLInputElement).value)}
            placeholder="192.168.1.0/24"
            autocomplete="off"
            data-testid="discovery-ranges"
          />
        </Field>
        <Field label="SNMP version">
          <select value={version} onChange={(e) => setVersion((e.target as HTMLSelectElement).value as 'v2c' | 'v3')} data-testid="discovery-version">
            <option value="v2c">v2c (community)</option>
            <option value="v3">v3 (user, authentication and privacy)</option>
          </select>
        </Field>
        {version === 'v2c' ? (
          <Field label="Community" hint="The read-only community of the devices; stored encrypted, never shown again.">
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
            <Field label="v3 user">
              <input value={v3.user} onInput={(e) => setV3({ ...v3, user: (e.target as HTMLInputElement).value })} autocomplete="off" />
            </Field>
            <Field label="Authentication key (SHA)">
              <input type="password" value={v3.authKey} onInput={(e) => setV3({ ...v3, authKey: (e.target as HTMLInputElement).value })} autocomplete="off" />
            </Field>
            <Field label="Privacy key (AES)">
              <input type="password" value={v3.privKey} onInput={(e) => setV3({ ...v3, privKey: (e.target as HTMLInputElement).value })} autocomplete="off" />
            </Field>
          </>
        )}
        <Field label="UDP port" hint="161 unless the devices answer SNMP on another port.">
          <input type="number" min={1} max={65535} value={port} onInput={(e) => setPort((e.target as HTMLInputElement).value)} data-testid="discovery-port" />
        </Field>
        <Field label="Speed" hint="Addresses asked per second (1–100); lower it for slow links.">
          <input type="number" min={1} max={100} value={rate} onInput={(e) => setRate((e.target as HTMLInputElement).value)} />
        </Field>
      </div>
      {error && <ErrorNote message={error} testId="discovery-error" />}
      <FormActions submitLabel={isBusy ? 'Starting…' : 'Scan the network'} isDisabled={isBusy || !isComplete} testId="discovery-start" />
    </form>
  );
}

function FoundRow({ scanId, f, canAct, onAdopted }: { scanId: string; f: DiscoveryScanInfo['found'][number]; canAct: boolean; onAdopted: () => void }) {
  const { api } = useApp();
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
      <td>{f.sysName ?? <span class="muted">no name</span>}</td>
      <td class="found-descr">{f.sysDescr}</td>
      <td>
        {f.deviceId ? (
          (KIND_TEXT[(f.kindGuess ?? kind) as ProbedDeviceKind] ?? '–')
        ) : (
          <select
            value={kind}
            onChange={(e) => setKind((e.target as HTMLSelectElement).value as ProbedDeviceKind)}
            aria-label={`Kind of ${f.address}`}
            disabled={!canAct}
          >
            {!f.kindGuess && <option value="">Choose…</option>}
            {ADOPTABLE.map((k) => (
              <option key={k} value={k}>
                {KIND_TEXT[k]}
              </option>
            ))}
          </select>
        )}
      </td>
      <td>
        {f.deviceId ? (
          <a href={deviceHref(f.deviceId)} data-testid="found-device-link">
            Monitored as {f.deviceName}
          </a>
        ) : canAct ? (
          <button type="button" class="btn btn-small" disabled={isBusy || !kind} onClick={adopt} data-testid="found-adopt">
            {isBusy ? 'Adding…' : 'Monitor it'}
          </button>
        ) : null}
        {error && <ErrorNote message={error} />}
      </td>
    </tr>
  );
}

function ScanCard({ scan, canAct, onChanged }: { scan: DiscoveryScanInfo; canAct: boolean; onChanged: () => void }) {
  const { api } = useApp();
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
          · probe {scan.probeHostname ?? scan.probeDeviceId} · SNMP {scan.version} · started {formatRelative(scan.createdAtMs, nowMs)}
          {scan.requestedBy ? ` by ${scan.requestedBy}` : ''}
        </span>
      </p>
      <p class="scan-status" data-testid="discovery-status">
        {scanStatusText(scan)}
        {scan.state === 'running' && canAct && (
          <button type="button" class="btn btn-quiet btn-small" onClick={cancel}>
            Cancel
          </button>
        )}
      </p>
      {scan.state === 'running' && (
        <div class="scan-progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label="Scan progress">
          <span style={{ width: `${pct}%` }} />
        </div>
      )}
      {error && <ErrorNote message={error} />}
      {scan.found.length > 0 && (
        <div class="table-wrap">
          <table class="table found-table" data-testid="found-table">
            <thead>
              <tr>
                <th>Address</th>
                <th>Name</th>
                <th>Description (sysDescr)</th>
                <th>Kind</th>
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
      <p class="muted section-lead">
        Find printers, UPSes, switches and other SNMP devices on this client's network. One of the client's own machines asks each address; nothing outside its
        private network is scanned.
      </p>
      {canAct &&
        (probes.length === 0 ? (
          <p class="muted">Install the agent on a machine of this client first: it becomes the probe that scans.</p>
        ) : (
          <ScanForm clientId={clientId} probes={probes} onStarted={reload} />
        ))}
      {!scans.data ? (
        <LoadState status={scans.status} error={scans.error} onRetry={reload} what="discovery scans" />
      ) : (
        scans.data.slice(0, 5).map((s) => <ScanCard key={s.id} scan={s} canAct={canAct} onChanged={reload} />)
      )}
    </div>
  );
}
