/**
 * Creates or edits an escalation policy: ordered levels, each paging its targets a number of
 * minutes after the alert fired (while nobody acknowledged), how often the ladder repeats, and
 * which clients use it (or that it is the default). The server checks order and targets and
 * names the level it means (`levels.1.afterMs: must be later than level 1's (0 ms)`).
 */
import { useState } from 'preact/hooks';
import type { ClientInfo, UserAccount } from '../../../../shared/api-types.js';
import type { ChannelView, EscalationPolicy, EscalationTarget, PolicyInput, Schedule } from '../../../../shared/notify-types.js';
import { useApp } from '../../lib/app-context.js';
import { useAction } from '../../lib/hooks.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { useT } from '../../lib/i18n/index.js';

/** What a target can point at. Channels: shared rooms only (Slack, Teams, webhook). */
export interface TargetChoices {
  schedules: Schedule[];
  users: UserAccount[];
  rooms: ChannelView[];
  clients: ClientInfo[];
}

interface Level {
  afterMin: string;
  targets: EscalationTarget[];
}

const MIN = 60_000;

function defaultTarget(type: EscalationTarget['type'], c: TargetChoices): EscalationTarget {
  switch (type) {
    case 'schedule':
      return { type, scheduleId: c.schedules[0]?.id ?? '' };
    case 'user':
      return { type, userId: c.users[0]?.id ?? '' };
    case 'role':
      return { type, role: 'admin' };
    case 'channel':
      return { type, channelId: c.rooms[0]?.id ?? '' };
  }
}

function TargetRow({
  target,
  choices,
  label,
  onChange,
  onRemove,
}: {
  target: EscalationTarget;
  choices: TargetChoices;
  label: string;
  onChange: (t: EscalationTarget) => void;
  onRemove?: () => void;
}) {
  const t = useT();
  const options: { id: string; name: string }[] =
    target.type === 'schedule'
      ? choices.schedules.map((s) => ({ id: s.id, name: s.name }))
      : target.type === 'user'
        ? choices.users.map((u) => ({ id: u.id, name: u.username }))
        : target.type === 'channel'
          ? choices.rooms.map((r) => ({ id: r.id, name: r.name }))
          : [
              { id: 'admin', name: t('pform.everyAdmin') },
              { id: 'technician', name: t('pform.everyTech') },
            ];
  const value =
    target.type === 'schedule' ? target.scheduleId : target.type === 'user' ? target.userId : target.type === 'channel' ? target.channelId : target.role;
  const pick = (id: string): EscalationTarget =>
    target.type === 'schedule'
      ? { type: 'schedule', scheduleId: id }
      : target.type === 'user'
        ? { type: 'user', userId: id }
        : target.type === 'channel'
          ? { type: 'channel', channelId: id }
          : { type: 'role', role: id as 'admin' | 'technician' };
  return (
    <div class="target-row">
      <select
        class="select"
        aria-label={t('pform.kind', { label })}
        value={target.type}
        onChange={(e) => onChange(defaultTarget(e.currentTarget.value as EscalationTarget['type'], choices))}
      >
        <option value="schedule">{t('pform.onCallOf')}</option>
        <option value="user">{t('pform.person')}</option>
        <option value="role">{t('pform.role')}</option>
        <option value="channel">{t('pform.room')}</option>
      </select>
      <select class="select" aria-label={label} required value={value} onChange={(e) => onChange(pick(e.currentTarget.value))}>
        {options.length === 0 && <option value="">{t('pform.noneYet')}</option>}
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
      {onRemove && (
        <button type="button" class="btn btn-small btn-quiet" onClick={onRemove} aria-label={t('pform.remove', { label })}>
          ×
        </button>
      )}
    </div>
  );
}

export function PolicyForm({
  policy,
  choices,
  onSaved,
  onCancel,
}: {
  policy?: EscalationPolicy;
  choices: TargetChoices;
  onSaved: (p: EscalationPolicy) => void;
  onCancel?: () => void;
}) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [name, setName] = useState(policy?.name ?? '');
  const [levels, setLevels] = useState<Level[]>(() =>
    policy
      ? policy.levels.map((l) => ({ afterMin: String(l.afterMs / MIN), targets: [...l.targets] }))
      : [{ afterMin: '0', targets: [defaultTarget('schedule', choices)] }],
  );
  const [repeat, setRepeat] = useState(policy ? String(policy.repeat) : '0');
  const [repeatAfterMin, setRepeatAfterMin] = useState(String((policy?.repeatAfterMs ?? 600_000) / MIN));
  const [isDefault, setIsDefault] = useState(policy?.isDefault ?? false);
  const [clientIds, setClientIds] = useState<string[]>(policy?.clientIds ?? []);
  const setLevel = (i: number, patch: Partial<Level>) => setLevels((all) => all.map((l, k) => (k === i ? { ...l, ...patch } : l)));

  const submit = (e: Event) => {
    e.preventDefault();
    const input: PolicyInput = {
      name: name.trim(),
      levels: levels.map((l) => ({ afterMs: Math.round(Number(l.afterMin) * MIN), targets: l.targets })),
      repeat: repeat === 'until-acknowledged' ? repeat : Number(repeat),
      repeatAfterMs: Math.round(Number(repeatAfterMin) * MIN),
      isDefault,
      clientIds,
    };
    void action.run(async () => onSaved(policy ? await api.updatePolicy(policy.id, input) : await api.createPolicy(input)));
  };

  return (
    <form class="form-grid policy-form" onSubmit={submit} data-testid="policy-form">
      <Field label={t('pform.name')}>
        <input
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          placeholder={t('pform.namePlaceholder')}
          data-testid="policy-name"
        />
      </Field>
      <ol class="level-list field-wide">
        {levels.map((l, i) => (
          <li key={i} class="level-edit" data-testid="level-editor">
            <label class="inline-field">
              {t('pform.levelAfter', { n: i + 1 })}{' '}
              <input
                type="number"
                min={0}
                max={10080}
                step="any"
                required
                class="minutes"
                value={l.afterMin}
                onInput={(e) => setLevel(i, { afterMin: e.currentTarget.value })}
              />{' '}
              {t('pform.min')}
            </label>
            {l.targets.map((x, k) => (
              <TargetRow
                key={k}
                target={x}
                choices={choices}
                label={t('pform.targetLabel', { n: i + 1, k: k + 1 })}
                onChange={(next) => setLevel(i, { targets: l.targets.map((x, j) => (j === k ? next : x)) })}
                onRemove={l.targets.length > 1 ? () => setLevel(i, { targets: l.targets.filter((_, j) => j !== k) }) : undefined}
              />
            ))}
            <div class="button-row">
              <button type="button" class="btn btn-small btn-quiet" onClick={() => setLevel(i, { targets: [...l.targets, defaultTarget('user', choices)] })}>
                {t('pform.addTarget')}
              </button>
              {levels.length > 1 && (
                <button type="button" class="btn btn-small btn-quiet" onClick={() => setLevels((all) => all.filter((_, k) => k !== i))}>
                  {t('pform.removeLevel', { n: i + 1 })}
                </button>
              )}
            </div>
          </li>
        ))}
      </ol>
      <div class="button-row">
        {levels.length < 10 && (
          <button
            type="button"
            class="btn btn-quiet"
            onClick={() =>
              setLevels((all) => [...all, { afterMin: String(Number(all.at(-1)?.afterMin ?? 0) + 10), targets: [defaultTarget('role', choices)] }])
            }
          >
            {t('pform.addLevel')}
          </button>
        )}
      </div>
      <Field label={t('pform.then')}>
        <select class="select" value={repeat} onChange={(e) => setRepeat(e.currentTarget.value)}>
          <option value="0">{t('pform.stop')}</option>
          <option value="1">{t('pform.once')}</option>
          <option value="2">{t('pform.twice')}</option>
          <option value="until-acknowledged">{t('pform.untilAck')}</option>
          {!['0', '1', '2', 'until-acknowledged'].includes(repeat) && <option value={repeat}>{t('pform.times', { count: repeat })}</option>}
        </select>
      </Field>
      <Field label={t('pform.pause')} hint={t('pform.pauseHint')}>
        <input
          type="number"
          min={1}
          step="any"
          required
          value={repeatAfterMin}
          disabled={repeat === '0'}
          onInput={(e) => setRepeatAfterMin(e.currentTarget.value)}
        />
      </Field>
      <label class="check wrap field-wide">
        <input type="checkbox" checked={isDefault} onChange={(e) => setIsDefault(e.currentTarget.checked)} /> {t('pform.default')}
      </label>
      {choices.clients.length > 0 && (
        <fieldset class="field field-wide client-picks">
          <legend>{t('pform.clients')}</legend>
          {choices.clients
            .filter((c) => c.contract === 'monthly' || clientIds.includes(c.id))
            .map((c) => (
              <label key={c.id} class="check">
                <input
                  type="checkbox"
                  checked={clientIds.includes(c.id)}
                  onChange={(e) => setClientIds((ids) => (e.currentTarget.checked ? [...ids, c.id] : ids.filter((x) => x !== c.id)))}
                />{' '}
                {c.name}
              </label>
            ))}
        </fieldset>
      )}
      <FormActions submitLabel={policy ? t('pform.save') : t('pform.create')} isDisabled={action.isBusy} testId="policy-save" onCancel={onCancel} />
      <ErrorNote message={action.error} testId="policy-form-error" />
    </form>
  );
}
