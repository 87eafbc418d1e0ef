/** One escalation policy: its ladder of levels and targets, repeats, and the clients it serves. */
import { useState } from 'preact/hooks';
import type { EscalationPolicy } from '../../../../shared/notify-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction } from '../../lib/hooks.js';
import { describeDelay, describeTarget, type Names } from './oncall-text.js';
import { PolicyForm, type TargetChoices } from './policy-form.js';
import { ErrorNote } from '../../ui/ui.js';
import { DeleteButton, EditButton } from '../../ui/card-buttons.js';

function repeatText(p: EscalationPolicy): string {
  if (p.repeat === 0) return 'Then stops.';
  const pause = describeDelay(p.repeatAfterMs).replace(/^after /, '');
  if (p.repeat === 'until-acknowledged') return `Then starts over every ${pause} until someone acknowledges.`;
  return `Then starts over ${p.repeat === 1 ? 'once' : `${p.repeat} times`}, ${pause} after the last level.`;
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
  const { canAct } = usePermissions();
  const action = useAction();
  const [isEditing, setIsEditing] = useState(false);
  const clientNames = p.clientIds.map((id) => choices.clients.find((c) => c.id === id)?.name ?? 'a deleted client');

  if (isEditing) {
    return (
      <li class="card policy" data-testid="policy-row" data-policy-id={p.id}>
        <h3 class="card-title">Edit {p.name}</h3>
        <PolicyForm policy={p} choices={choices} onCancel={() => setIsEditing(false)} onSaved={() => (setIsEditing(false), onChanged())} />
      </li>
    );
  }
  return (
    <li class="card policy" data-testid="policy-row" data-policy-id={p.id} data-policy-name={p.name}>
      <h3 class="card-title">
        {p.name} {p.isDefault && <span class="tag tag-active">default</span>}
      </h3>
      <p class="card-meta">
        {p.isDefault
          ? clientNames.length > 0
            ? `Default, and for ${clientNames.join(', ')}`
            : 'For every client without its own policy'
          : clientNames.length > 0
            ? `For ${clientNames.join(', ')}`
            : 'Not used by any client yet'}
      </p>
      <ol class="level-list">
        {p.levels.map((l, i) => (
          <li key={i} class="level">
            <span class="level-when">{describeDelay(l.afterMs)}</span>
            <span>{l.targets.map((t) => describeTarget(t, names)).join(', ')}</span>
          </li>
        ))}
      </ol>
      <p class="muted policy-repeat">{repeatText(p)}</p>
      {canAct && (
        <div class="card-controls">
          <EditButton onClick={() => setIsEditing(true)} testId="policy-edit" />
          <DeleteButton
            question={`Delete the escalation policy “${p.name}”?`}
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
