/**
 * Creates or edits a notification channel: a type picker (from the server's list), then that
 * type's config fields. The browser does not pre-validate (noValidate): the server's message,
 * which names the field (`config.secret: secret must be at least 16 characters`), is shown under
 * the form and the field it names is marked. Secrets are never shown: when editing, an empty
 * secret keeps the stored one.
 */
import { useMemo, useState } from 'preact/hooks';
import type { ChannelTypeInfo, ChannelView } from '../../../../shared/notify-types.js';
import { useApp } from '../../lib/app-context.js';
import { configOf, fieldOfError, fieldsOf, valuesOf, type ConfigField, type FormValues } from './channel-fields.js';
import { useAction } from '../../lib/hooks.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { useT } from '../../lib/i18n/index.js';

interface Props {
  types: ChannelTypeInfo[];
  /** The channel to edit; a new one when absent. */
  channel?: ChannelView;
  onSaved: (channel: ChannelView) => void;
  onCancel?: () => void;
}

function ConfigInput({
  field,
  value,
  isSecret,
  isInvalid,
  stored,
  onChange,
}: {
  field: ConfigField;
  value: string | boolean;
  isSecret: boolean;
  isInvalid: boolean;
  stored: string;
  onChange: (v: string | boolean) => void;
}) {
  const t = useT();
  const common = { 'aria-invalid': isInvalid || undefined, 'data-testid': `channel-config-${field.path}` };
  if (field.kind === 'boolean') {
    return (
      <label class="check field">
        <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.currentTarget.checked)} {...common} /> {field.label}
      </label>
    );
  }
  const hint = isSecret && stored ? t('chform.stored', { value: stored }) : field.hint;
  return (
    <Field label={field.isRequired ? field.label : t('chform.optional', { label: field.label })} hint={hint} wide={field.kind === 'url'}>
      {field.kind === 'select' ? (
        <select class="select" value={String(value) || field.options?.[0]?.value} onChange={(e) => onChange(e.currentTarget.value)} {...common}>
          {field.options?.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      ) : (
        <input
          // Preact's input types are a union keyed on `type`; this one switches at run time.
          type={(isSecret && field.kind !== 'url' ? 'password' : field.kind === 'url' ? 'url' : 'text') as 'text'}
          inputMode={field.kind === 'number' ? 'numeric' : undefined}
          autoComplete={isSecret ? 'new-password' : 'off'}
          required={field.isRequired && !(isSecret && stored)}
          placeholder={field.placeholder}
          value={String(value)}
          onInput={(e) => onChange(e.currentTarget.value)}
          {...common}
        />
      )}
    </Field>
  );
}

export function ChannelForm({ types, channel, onSaved, onCancel }: Props) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [type, setType] = useState(channel?.type ?? types[0]?.type ?? 'webhook');
  const info = types.find((x) => x.type === type);
  const secretFields = info?.secretFields ?? [];
  const fields = fieldsOf(type);
  const [name, setName] = useState(channel?.name ?? '');
  const [values, setValues] = useState<FormValues>(() => (fields && channel ? valuesOf(fields, channel.config, secretFields) : {}));
  const [rawJson, setRawJson] = useState(() => JSON.stringify(channel?.config ?? {}, null, 2));
  const badField = useMemo(() => fieldOfError(action.error), [action.error]);
  const isEdit = channel !== undefined;

  const pickType = (next: string) => {
    setType(next);
    setValues({});
    action.clearError();
  };

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      let config: Record<string, unknown>;
      if (fields) config = configOf(fields, values);
      else {
        try {
          config = JSON.parse(rawJson) as Record<string, unknown>;
        } catch {
          throw new Error(t('chform.badJson'));
        }
      }
      const saved = isEdit ? await api.updateChannel(channel.id, { name: name.trim(), config }) : await api.createChannel({ type, name: name.trim(), config });
      onSaved(saved);
    });
  };

  return (
    <form class="form-grid wide-cells" onSubmit={submit} noValidate data-testid="channel-form">
      <Field label={t('chform.name')}>
        <input
          required
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          placeholder={t('chform.namePlaceholder')}
          data-testid="channel-name"
        />
      </Field>
      <Field label={t('chform.type')} hint={info ? (info.audience === 'person' ? t('chform.person') : t('chform.shared')) : undefined}>
        <select class="select" value={type} disabled={isEdit} onChange={(e) => pickType(e.currentTarget.value)} data-testid="channel-type">
          {types.map((x) => (
            <option key={x.type} value={x.type}>
              {x.label}
            </option>
          ))}
        </select>
      </Field>
      {fields ? (
        fields.map((f) => (
          <ConfigInput
            key={`${type}-${f.path}`}
            field={f}
            value={values[f.path] ?? (f.kind === 'boolean' ? false : '')}
            isSecret={secretFields.includes(f.path)}
            isInvalid={badField === f.path || (badField !== null && f.path.startsWith(`${badField}.`))}
            stored={isEdit ? storedSecret(channel.config, f.path) : ''}
            onChange={(v) => setValues((old) => ({ ...old, [f.path]: v }))}
          />
        ))
      ) : (
        <Field label={t('chform.json')} hint={t('chform.jsonHint')} wide>
          <textarea rows={5} value={rawJson} onInput={(e) => setRawJson(e.currentTarget.value)} aria-invalid={badField !== null || undefined} />
        </Field>
      )}
      <FormActions submitLabel={isEdit ? t('chform.save') : t('chform.create')} isDisabled={action.isBusy} testId="channel-save" onCancel={onCancel} />
      <ErrorNote message={action.error} testId="channel-form-error" />
    </form>
  );
}

/** The masked value the API answered for a secret field ('' when none is stored). */
function storedSecret(config: Record<string, unknown>, path: string): string {
  const v = path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
  return typeof v === 'string' ? v : '';
}
