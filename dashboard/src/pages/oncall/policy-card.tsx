/** One escalation policy: its ladder of levels and targets, repeats, and the clients it serves. */
import { useState } from 'preact/hooks';
import type { EscalationPolicy } from '../../../../shared/notify-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction } from '../../lib/hooks.js';
import { describeDelay, describeTarget, type Names } from './oncall-text.js';
import { PolicyForm, type TargetChoices } from './policy-form.js';
import { ErrorNote } from '../../ui/ui.js';
import { DeleteButton, EditButton } from '../../ui/card-buttons.js';
import { activeT, useT } from '../../lib/i18n/index.js';
import { formatDuration } from '../../lib/format.js';

function repeatText(p: EscalationPolicy): string {
  const t = activeT();
  if (p.repeat === 0) return t('policy.stops');
  const pause = p.repeatAfterMs <= 0 ? t('delay.atOnce') : formatDuration(p.repeatAfterMs);
  if (p.repeat === 'until-acknowledged') return t('policy.untilAck', { pause });
  return t('policy.repeat', { count: p.repeat, pause });
}

export function PolicyCard({
  policy: p,
  names,
  choices,
  onChanged,
  onRemoved,
}: {
  policy: EscalationPolicy;
  names: Names;
  choices: TargetChoices;
  onChanged: () => void;
  onRemoved: () => void;
}) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const action = useAction();
  const [isEditing, setIsEditing] = useState(false);
  const clientNames = p.clientIds.map((id) => choices.clients.find((c) => c.id === id)?.name ?? t('policy.deletedClient'));

  if (isEditing) {
    return (
      <li class="card policy" data-testid="policy-row" data-policy-id={p.id}>
        <h3 class="card-title">{t('policy.edit', { name: p.name })}</h3>
        <PolicyForm policy={p} choices={choices} onCancel={() => setIsEditing(false)} onSaved={() => (setIsEditing(false), onChanged())} />
      </li>
    );
  }
  return (
    <li class="card policy" data-testid="policy-row" data-policy-id={p.id} data-policy-name={p.name}>
      <h3 class="card-title">
        {p.name} {p.isDefault && <span class="tag tag-active">{t('policy.default')}</span>}
      </h3>
      <p class="card-meta">
        {p.isDefault
          ? clientNames.length > 0
            ? t('policy.defaultAnd', { clients: clientNames.join(', ') })
            : t('policy.forEvery')
          : clientNames.length > 0
            ? t('policy.for', { clients: clientNames.join(', ') })
            : t('policy.unused')}
      </p>
      <ol class="level-list">
        {p.levels.map((l, i) => (
          <li key={i} class="level">
            <span class="level-when">{describeDelay(l.afterMs)}</span>
            <span>{l.targets.map((x) => describeTarget(x, names)).join(', ')}</span>
          </li>
        ))}
      </ol>
      <p class="muted policy-repeat">{repeatText(p)}</p>
      {canAct && (
        <div class="card-controls">
          <EditButton onClick={() => setIsEditing(true)} testId="policy-edit" />
          <DeleteButton
            question={t('policy.deleteConfirm', { name: p.name })}
            isDisabled={action.isBusy}
            onDelete={() => action.run(async () => (await api.deletePolicy(p.id), onRemoved()))}
            testId="policy-delete"
          />
        </div>
      )}
      <ErrorNote message={action.error} />
    </li>
  );
}
