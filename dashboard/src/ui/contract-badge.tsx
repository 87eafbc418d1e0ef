/** Badge naming a client's contract model: monthly (proactive, pages) or break-fix (logs only). */
import type { ContractType } from '../../../shared/api-types.js';
import { useT, type DashKey } from '../lib/i18n/index.js';

const titles: Record<ContractType, DashKey> = {
  monthly: 'contract.monthly.title',
  'break-fix': 'contract.breakFix.title',
};

export function ContractBadge({ contract }: { contract: ContractType }) {
  const t = useT();
  return (
    <span class={`badge badge-${contract}`} title={t(titles[contract])} data-testid="contract-badge" data-contract={contract}>
      {contract === 'monthly' ? t('contract.monthly') : t('contract.breakFix')}
    </span>
  );
}

/**
 * Online / offline / unknown / disabled dot with a text alternative. Unknown (grey): a probed
 * device whose site probe is offline, so nobody knows whether it is up.
 */
export function StatusDot({ isOnline, isDisabled, isUnknown = false }: { isOnline: boolean; isDisabled: boolean; isUnknown?: boolean }) {
  const t = useT();
  const state = deviceState({ isOnline, isDisabled, isStatusUnknown: isUnknown });
  return <span class={`status-dot status-${state}`} role="img" aria-label={t(`status.${state}`)} title={t(`status.${state}`)} data-state={state} />;
}

/** A device's state as the dot and the status text show it. */
export function deviceState(d: { isOnline: boolean; isDisabled: boolean; isStatusUnknown?: boolean }): 'online' | 'offline' | 'unknown' | 'disabled' {
  return d.isDisabled ? 'disabled' : d.isOnline ? 'online' : d.isStatusUnknown ? 'unknown' : 'offline';
}
