/**
 * Server-managed agent settings for a client (all its machines) or one device: collection
 * interval, watched services and collector switches. Only what differs from what would apply
 * anyway is stored (`baseline`: the client's settings for a device, the agent defaults for a
 * client), so a later change at client level still reaches devices that did not override it.
 */
import { useState } from 'preact/hooks';
import { AGENT_COLLECTOR_NAMES, type AgentCollectorName } from '../../../shared/protocol-constants.js';
import type { AgentSettings } from '../../../shared/device-admin-types.js';
import { useAction } from '../lib/hooks.js';
import { ErrorNote, Field } from './ui.js';
import { useT } from '../lib/i18n/index.js';
import { formatNumber } from '../lib/format.js';

interface Props {
  /** The settings stored at this level. */
  own: AgentSettings;
  /** What applies where this level sets nothing ({} for a client). */
  baseline: AgentSettings;
  /** Where the baseline comes from: the client (for a device) or the agent's defaults (for a client). */
  baselineOf: 'client' | 'agent';
  canEdit: boolean;
  /** Saves the settings (the caller says who got them). */
  onSave: (settings: AgentSettings) => Promise<unknown>;
  testId: string;
}

const isOn = (s: AgentSettings, name: AgentCollectorName): boolean | undefined => s.collectors?.[name];

export function AgentSettingsForm({ own, baseline, baselineOf, canEdit, onSave, testId }: Props) {
  const t = useT();
  const action = useAction();
  const [seconds, setSeconds] = useState(own.intervalMs !== undefined ? String(own.intervalMs / 1000) : '');
  const [services, setServices] = useState((own.watchedServices ?? []).join('\n'));
  const [switches, setSwitches] = useState<Record<string, boolean>>(() =>
    Object.fromEntries(AGENT_COLLECTOR_NAMES.map((n) => [n, isOn(own, n) ?? isOn(baseline, n) ?? true])),
  );

  const build = (): AgentSettings => {
    const settings: AgentSettings = {};
    if (seconds.trim() !== '') settings.intervalMs = Math.round(Number(seconds) * 1000);
    const list = services
      .split(/[\n,]/)
      .map((s) => s.trim())
      .filter(Boolean);
    if (list.length > 0) settings.watchedServices = list;
    const collectors: Partial<Record<AgentCollectorName, boolean>> = {};
    for (const n of AGENT_COLLECTOR_NAMES) if (switches[n] !== (isOn(baseline, n) ?? true)) collectors[n] = switches[n]!;
    if (Object.keys(collectors).length > 0) settings.collectors = collectors;
    return settings;
  };
  const save = (settings: AgentSettings) => {
    void action.run(() => onSave(settings));
  };
  const inheritedInterval =
    baseline.intervalMs !== undefined
      ? t('agent.inheritedFrom', { seconds: formatNumber(baseline.intervalMs / 1000, 3), from: baselineOf })
      : t('agent.ownInterval');

  return (
    <form
      class="form-grid wide-cells agent-settings"
      onSubmit={(e) => {
        e.preventDefault();
        save(build());
      }}
      data-testid={testId}
    >
      <Field label={t('agent.interval')} hint={t('agent.intervalHint', { inherited: inheritedInterval })}>
        <input
          type="number"
          min={1}
          max={3600}
          step="any"
          inputMode="decimal"
          disabled={!canEdit}
          value={seconds}
          onInput={(e) => setSeconds(e.currentTarget.value)}
          data-testid="agent-interval"
        />
      </Field>
      <Field
        wide
        label={t('agent.services')}
        hint={
          baseline.watchedServices?.length
            ? t('agent.servicesHintInherited', { from: baselineOf, list: baseline.watchedServices.join(', ') })
            : t('agent.servicesHint')
        }
      >
        <textarea
          rows={3}
          disabled={!canEdit}
          value={services}
          onInput={(e) => setServices(e.currentTarget.value)}
          placeholder={baseline.watchedServices?.join('\n') ?? t('agent.servicesPlaceholder')}
          data-testid="agent-services"
        />
      </Field>
      <fieldset class="field field-wide collectors">
        <legend>{t('agent.collectors')}</legend>
        {AGENT_COLLECTOR_NAMES.map((n) => (
          <label key={n} class="check">
            <input type="checkbox" disabled={!canEdit} checked={switches[n]} onChange={(e) => setSwitches((s) => ({ ...s, [n]: e.currentTarget.checked }))} />{' '}
            {n}
          </label>
        ))}
      </fieldset>
      {canEdit && (
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={action.isBusy} data-testid="agent-save">
            {t('agent.save')}
          </button>
          <button
            type="button"
            class="btn btn-quiet"
            disabled={action.isBusy}
            onClick={() => window.confirm(t('agent.clearConfirm', { from: baselineOf })) && save({})}
          >
            {t('agent.clear')}
          </button>
        </div>
      )}
      <ErrorNote message={action.error} />
    </form>
  );
}
