/**
 * Edits a rule's numbers (thresholds, durations, severity), or creates an override of a base
 * rule for one client or device. Only what changed is sent; the server validates meaning and
 * answers each mistake with its own message, shown here as is.
 */
import { useState } from 'preact/hooks';
import type { Rule, RuleInput, RuleScope, Severity } from '../../../../shared/alert-types.js';
import type { ClientInfo } from '../../../../shared/api-types.js';
import { useAction } from '../../lib/hooks.js';
import { unitSuffix } from './rule-text.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { activeT, useT } from '../../lib/i18n/index.js';

const MAX_DEVICE_CHOICES = 100;
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** An editable number field: text while typing, converted on save with a scale (e.g. minutes → ms). */
interface NumberField {
  key: keyof RuleInput;
  label: string;
  unit: string;
  scale: number;
}

function fieldsOf(rule: Rule): NumberField[] {
  const t = activeT();
  const minutes = t('ruleEd.minutes');
  switch (rule.kind) {
    case 'threshold': {
      const u = unitSuffix(rule.metric).trim() || t('ruleEd.value');
      return [
        { key: 'threshold', label: t('ruleEd.fires', { op: rule.op }), unit: u, scale: 1 },
        { key: 'clearThreshold', label: t('ruleEd.clearsAt'), unit: u, scale: 1 },
        { key: 'forMs', label: t('ruleEd.forAtLeast'), unit: minutes, scale: MIN },
        { key: 'clearForMs', label: t('ruleEd.clearFor'), unit: minutes, scale: MIN },
      ];
    }
    case 'offline':
      return [{ key: 'missedIntervals', label: t('ruleEd.missed'), unit: t('ruleEd.intervals'), scale: 1 }];
    case 'forecast':
      return [
        { key: 'horizonMs', label: t('ruleEd.fullWithin'), unit: t('ruleEd.days'), scale: DAY },
        { key: 'clearHorizonMs', label: t('ruleEd.clearsBeyond'), unit: t('ruleEd.days'), scale: DAY },
        { key: 'windowMs', label: t('ruleEd.trendOver'), unit: t('ruleEd.hours'), scale: HOUR },
      ];
    default:
      return [
        { key: 'forMs', label: t('ruleEd.forAtLeast'), unit: minutes, scale: MIN },
        { key: 'clearForMs', label: t('ruleEd.clearFor'), unit: minutes, scale: MIN },
      ];
  }
}

const valueOf = (rule: Rule, key: keyof RuleInput): number | undefined => {
  const v = (rule as unknown as Record<string, unknown>)[key];
  return typeof v === 'number' ? v : undefined;
};

interface Props {
  rule: Rule;
  /** Create an override of `rule` instead of changing it. */
  mode: 'edit' | 'override';
  clients: readonly ClientInfo[];
  devices: readonly { id: string; hostname: string; clientId: string }[];
  onSave: (input: RuleInput) => Promise<unknown>;
  onCancel: () => void;
}

export function RuleEditor({ rule, mode, clients, devices, onSave, onCancel }: Props) {
  const t = useT();
  const action = useAction();
  const fields = fieldsOf(rule);
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.key, String(Math.round(((valueOf(rule, f.key) ?? 0) / f.scale) * 1000) / 1000)])),
  );
  const [severity, setSeverity] = useState<Severity>(rule.severity);
  const [name, setName] = useState(rule.name);
  const [scopeType, setScopeType] = useState<'client' | 'device'>(rule.scope.type === 'client' ? 'device' : 'client');
  const [scopeId, setScopeId] = useState('');
  const [deviceQuery, setDeviceQuery] = useState('');
  // Big fleets: a select of 15,000 hostnames is no use; search first, then pick from 100 at most.
  const q = deviceQuery.trim().toLowerCase();
  const eligible = devices.filter((d) => (rule.scope.type !== 'client' || d.clientId === rule.scope.clientId) && (!q || d.hostname.toLowerCase().includes(q)));
  const scopeChoices =
    scopeType === 'client'
      ? clients.map((c) => ({ id: c.id, label: c.name }))
      : eligible.slice(0, MAX_DEVICE_CHOICES).map((d) => ({ id: d.id, label: d.hostname }));

  const submit = (e: Event) => {
    e.preventDefault();
    const input: RuleInput = {};
    for (const f of fields) {
      const n = Number(values[f.key]);
      const scaled = f.scale === 1 ? n : Math.round(n * f.scale);
      if (values[f.key] !== '' && Number.isFinite(n) && scaled !== valueOf(rule, f.key)) (input as Record<string, number>)[f.key] = scaled;
    }
    if (severity !== rule.severity) input.severity = severity;
    if (mode === 'edit' && name.trim() !== rule.name) input.name = name.trim();
    if (mode === 'override') {
      input.overridesRuleId = rule.id;
      input.scope = (scopeType === 'client' ? { type: 'client', clientId: scopeId } : { type: 'device', deviceId: scopeId }) satisfies RuleScope;
    }
    void action.run(() => onSave(input));
  };

  return (
    <form class="form-grid rule-editor" onSubmit={submit} data-testid="rule-editor">
      {mode === 'override' ? (
        <>
          <p class="field-wide muted">{t('ruleEd.overrideIntro')}</p>
          <Field label={t('ruleEd.for')}>
            <select
              class="select"
              value={scopeType}
              onChange={(e) => (setScopeType(e.currentTarget.value as 'client' | 'device'), setScopeId(''))}
              disabled={rule.scope.type === 'client'}
            >
              {rule.scope.type === 'global' && <option value="client">{t('ruleEd.aClient')}</option>}
              <option value="device">{t('ruleEd.aDevice')}</option>
            </select>
          </Field>
          {scopeType === 'device' && devices.length > MAX_DEVICE_CHOICES && (
            <Field label={t('ruleEd.findDevice')} hint={t('ruleEd.matches', { count: eligible.length })}>
              <input type="search" value={deviceQuery} onInput={(e) => setDeviceQuery(e.currentTarget.value)} placeholder={t('ruleEd.hostname')} />
            </Field>
          )}
          <Field label={scopeType === 'client' ? t('ruleEd.client') : t('ruleEd.device')}>
            <select class="select" required value={scopeId} onChange={(e) => setScopeId(e.currentTarget.value)} data-testid="override-target">
              <option value="">{t('ruleEd.choose')}</option>
              {scopeChoices.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.label}
                </option>
              ))}
            </select>
          </Field>
        </>
      ) : (
        rule.overridesRuleId === null && (
          <Field label={t('ruleEd.name')} wide>
            <input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
        )
      )}
      {fields.map((f) => (
        <Field key={f.key} label={f.label} hint={f.unit}>
          <input
            type="number"
            step="any"
            inputMode="decimal"
            value={values[f.key]}
            onInput={(e) => setValues((v) => ({ ...v, [f.key]: e.currentTarget.value }))}
            data-testid={`rule-${f.key}`}
          />
        </Field>
      ))}
      <Field label={t('ruleEd.severity')}>
        <select class="select" value={severity} onChange={(e) => setSeverity(e.currentTarget.value as Severity)}>
          <option value="critical">{t('severity.critical')}</option>
          <option value="warning">{t('severity.warning')}</option>
          <option value="info">{t('ruleEd.infoNeverPages')}</option>
        </select>
      </Field>
      <FormActions
        submitLabel={mode === 'override' ? t('ruleEd.createOverride') : t('ruleEd.save')}
        isDisabled={action.isBusy || (mode === 'override' && !scopeId)}
        testId="rule-save"
        onCancel={onCancel}
      />
      <ErrorNote message={action.error} />
    </form>
  );
}
