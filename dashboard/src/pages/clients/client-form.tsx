/** Create or edit a client: name, contract model, fee, hourly rate, currency, time zone, contact. */
import { useState } from 'preact/hooks';
import type { ClientInfo, ClientInput, ContractType } from '../../../../shared/api-types.js';
import { viewerTimeZone } from '../../lib/format.js';
import { timeZones } from '../../lib/time-zones.js';
import { useAction } from '../../lib/hooks.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

interface Props {
  client?: ClientInfo;
  submitLabel: string;
  onSubmit: (input: ClientInput) => Promise<unknown>;
  onCancel?: () => void;
}

export function ClientForm({ client, submitLabel, onSubmit, onCancel }: Props) {
  const t = useT();
  const action = useAction();
  const [name, setName] = useState(client?.name ?? '');
  const [contract, setContract] = useState<ContractType>(client?.contract ?? 'monthly');
  const [fee, setFee] = useState(String(client?.monthlyFee ?? ''));
  const [rate, setRate] = useState(String(client?.hourlyRate ?? ''));
  const [currency, setCurrency] = useState(client?.currency ?? 'EUR');
  const zones = timeZones();
  const [timezone, setTimezone] = useState(client?.timezone ?? (zones.includes(viewerTimeZone()) ? viewerTimeZone() : 'UTC'));
  // A stored zone this browser does not list still shows (and is kept) rather than a blank select.
  const zoneOptions = zones.includes(timezone) ? zones : [timezone, ...zones];
  const [contact, setContact] = useState(client?.contact ?? '');

  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(() =>
      onSubmit({
        name: name.trim(),
        contract,
        monthlyFee: Number(fee) || 0,
        hourlyRate: Number(rate) || 0,
        currency: currency.trim().toUpperCase(),
        timezone,
        contact: contact.trim() || null,
      }),
    );
  };

  return (
    <form class="form-grid" onSubmit={submit} data-testid="client-form">
      <Field label={t('clientForm.name')} wide>
        <input required maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} data-testid="client-name" />
      </Field>
      <fieldset class="field field-wide radio-group">
        <legend>{t('clientForm.contract')}</legend>
        <label class="radio">
          <input
            type="radio"
            name="contract"
            value="monthly"
            checked={contract === 'monthly'}
            onChange={() => setContract('monthly')}
            data-testid="contract-monthly"
          />
          <span>
            <Msg k="clientForm.monthly" values={{ b: (text) => <strong>{text}</strong> }} />
          </span>
        </label>
        <label class="radio">
          <input
            type="radio"
            name="contract"
            value="break-fix"
            checked={contract === 'break-fix'}
            onChange={() => setContract('break-fix')}
            data-testid="contract-break-fix"
          />
          <span>
            <Msg k="clientForm.breakFix" values={{ b: (text) => <strong>{text}</strong> }} />
          </span>
        </label>
      </fieldset>
      <Field label={t('clientForm.fee')} hint={t('clientForm.feeHint', { currency })}>
        <input type="number" min={0} step="0.01" inputMode="decimal" value={fee} onInput={(e) => setFee(e.currentTarget.value)} data-testid="client-fee" />
      </Field>
      <Field label={t('clientForm.rate')} hint={t('clientForm.rateHint', { currency })}>
        <input type="number" min={0} step="0.01" inputMode="decimal" value={rate} onInput={(e) => setRate(e.currentTarget.value)} data-testid="client-rate" />
      </Field>
      <Field label={t('clientForm.currency')} hint={t('clientForm.currencyHint')}>
        <input required pattern="[A-Za-z]{3}" maxLength={3} value={currency} onInput={(e) => setCurrency(e.currentTarget.value)} />
      </Field>
      <Field label={t('clientForm.timezone')} hint={t('clientForm.timezoneHint')}>
        <select class="select" value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)}>
          {zoneOptions.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('clientForm.contact')} wide>
        <input maxLength={500} value={contact} onInput={(e) => setContact(e.currentTarget.value)} placeholder={t('clientForm.contactPlaceholder')} />
      </Field>
      <FormActions submitLabel={submitLabel} isDisabled={action.isBusy || !name.trim()} testId="client-submit" onCancel={onCancel} />
      <ErrorNote message={action.error} />
    </form>
  );
}
