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

/** Online / offline / disabled dot with a text alternative. */
export function StatusDot({ isOnline, isDisabled }: { isOnline: boolean; isDisabled: boolean }) {
  const t = useT();
  const state = isDisabled ? 'disabled' : isOnline ? 'online' : 'offline';
  return <span class={`status-dot status-${state}`} role="img" aria-label={t(`status.${state}`)} title={t(`status.${state}`)} data-state={state} />;
}
