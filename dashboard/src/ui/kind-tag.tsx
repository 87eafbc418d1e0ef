/** The kind of a probed device (printer, UPS, switch, firewall, NAS, website) as a small tag. */
import type { DeviceKind } from '../../../shared/probe.js';
import { useT, type DashKey } from '../lib/i18n/index.js';

const labels: Record<Exclude<DeviceKind, 'agent'>, DashKey> = {
  printer: 'kind.printer',
  ups: 'kind.ups',
  switch: 'kind.switch',
  firewall: 'kind.firewall',
  nas: 'kind.nas',
  website: 'kind.website',
};

export function KindTag({ kind }: { kind: DeviceKind }) {
  const t = useT();
  if (kind === 'agent') return null;
  return (
    <span class="kind-tag" data-kind={kind}>
      {t(labels[kind])}
    </span>
  );
}
