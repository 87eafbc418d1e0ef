/** Badge naming a client's contract model: monthly (proactive, pages) or break-fix (logs only). */
import type { ContractType } from '../../../shared/api-types.js';

const titles: Record<ContractType, string> = {
  monthly: 'Monthly contract: proactive monitoring, problems page the on-call technician',
  'break-fix': 'Break-fix: problems are logged as billable incidents, nobody is paged',
};

export function ContractBadge({ contract }: { contract: ContractType }) {
  return (
    <span class={`badge badge-${contract}`} title={titles[contract]} data-testid="contract-badge" data-contract={contract}>
      {contract === 'monthly' ? 'Monthly' : 'Break-fix'}
    </span>
  );
}

/** Online / offline / disabled dot with a text alternative. */
export function StatusDot({ isOnline, isDisabled }: { isOnline: boolean; isDisabled: boolean }) {
  const state = isDisabled ? 'disabled' : isOnline ? 'online' : 'offline';
  return <span class={`status-dot status-${state}`} role="img" aria-label={state} title={state} data-state={state} />;
}
