/**
 * Rules: the global defaults first, then each client's and each device's own rules and overrides.
 * Enable/disable with a switch, edit numbers in place, add an override for a client or device.
 * Technicians change client and device rules; global rules need an admin (the server says so too).
 */
import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { Rule, RuleInput } from '../../../../shared/alert-types.js';
import type { ClientInfo, DeviceSummary } from '../../../../shared/api-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { describeCondition, scopeKey } from './rule-text.js';
import { clientHref, deviceHref } from '../../lib/router.js';
import { RuleEditor } from './rule-editor.js';
import { EmptyState, ErrorNote, LoadState, PageHead, SeverityBadge } from '../../ui/ui.js';
import './rules.css';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

interface Group {
  key: string;
  title: ComponentChildren;
  rules: Rule[];
}

function RuleItem({
  rule,
  base,
  clients,
  devices,
  onChanged,
}: {
  rule: Rule;
  base: Rule | undefined;
  clients: ClientInfo[];
  devices: DeviceSummary[];
  onChanged: () => void;
}) {
  const { api } = useApp();
  const t = useT();
  const { canAct, isAdmin } = usePermissions();
  const action = useAction();
  const [mode, setMode] = useState<'view' | 'edit' | 'override'>('view');
  const mayEdit = canAct && (rule.scope.type !== 'global' || isAdmin);
  const save = async (input: RuleInput) => {
    if (mode === 'override') await api.createRule(input);
    else await api.updateRule(rule.id, input);
    setMode('view');
    onChanged();
  };

  return (
    <li class={`rule${rule.isEnabled ? '' : ' is-disabled'}`} data-testid="rule-row" data-rule-id={rule.id}>
      <div class="rule-main">
        <p class="rule-name">
          <SeverityBadge severity={rule.severity} /> <strong>{rule.name}</strong>
          {rule.isDefault && <span class="tag">{t('rules.default')}</span>}
          {base && <span class="tag">{t('rules.overrides', { name: base.name })}</span>}
        </p>
        <p class="rule-condition">{describeCondition(rule)}</p>
        <ErrorNote message={action.error} />
      </div>
      <div class="rule-side">
        <label class="switch" title={mayEdit ? undefined : t('rules.needAdmin')}>
          <input
            type="checkbox"
            role="switch"
            checked={rule.isEnabled}
            disabled={!mayEdit || action.isBusy}
            onChange={(e) => {
              const isEnabled = e.currentTarget.checked;
              void action.run(async () => {
                await api.updateRule(rule.id, { isEnabled });
                onChanged();
              });
            }}
            data-testid="rule-enabled"
          />
          <span>{rule.isEnabled ? t('rules.on') : t('rules.off')}</span>
        </label>
        {mayEdit && mode === 'view' && (
          <button type="button" class="btn btn-small" onClick={() => setMode('edit')} data-testid="rule-edit">
            {t('rules.edit')}
          </button>
        )}
        {canAct && mode === 'view' && rule.overridesRuleId === null && rule.scope.type !== 'device' && (
          <button type="button" class="btn btn-small btn-quiet" onClick={() => setMode('override')} data-testid="rule-override">
            {t('rules.override')}
          </button>
        )}
        {mayEdit && mode === 'view' && !rule.isDefault && (
          <button
            type="button"
            class="btn btn-small btn-quiet"
            disabled={action.isBusy}
            onClick={() => {
              if (!window.confirm(t('rules.deleteConfirm', { name: rule.name, base: rule.overridesRuleId ? 'yes' : 'no' }))) return;
              void action.run(async () => {
                await api.deleteRule(rule.id);
                onChanged();
              });
            }}
          >
            {t('rules.delete')}
          </button>
        )}
      </div>
      {mode !== 'view' && <RuleEditor rule={rule} mode={mode} clients={clients} devices={devices} onSave={save} onCancel={() => setMode('view')} />}
    </li>
  );
}

export function RulesView() {
  const { api } = useApp();
  const t = useT();
  const rules = useLoad(() => api.listRules(), [api]);
  const clients = useLoad(() => api.listClients(), [api]);
  const devices = useLoad(() => api.listDevices(), [api]);
  const [query, setQuery] = useState('');

  const groups = useMemo((): Group[] => {
    const list = rules.data ?? [];
    const clientName = new Map((clients.data ?? []).map((c) => [c.id, c.name]));
    const hostname = new Map((devices.data ?? []).map((d) => [d.id, d.hostname]));
    const q = query.trim().toLowerCase();
    const byScope = new Map<string, Group>();
    for (const r of list) {
      if (q && !`${r.name} ${describeCondition(r)}`.toLowerCase().includes(q)) continue;
      const key = scopeKey(r.scope);
      let g = byScope.get(key);
      if (!g) {
        const title =
          r.scope.type === 'global' ? (
            t('rules.allDevices')
          ) : r.scope.type === 'client' ? (
            <Msg k="rules.client" values={{ name: <a href={clientHref(r.scope.clientId)}>{clientName.get(r.scope.clientId) ?? r.scope.clientId}</a> }} />
          ) : (
            <Msg k="rules.device" values={{ name: <a href={deviceHref(r.scope.deviceId)}>{hostname.get(r.scope.deviceId) ?? r.scope.deviceId}</a> }} />
          );
        g = { key, title, rules: [] };
        byScope.set(key, g);
      }
      g.rules.push(r);
    }
    const rank = (k: string) => (k === 'global' ? 0 : k.startsWith('client:') ? 1 : 2);
    return [...byScope.values()].sort((a, b) => rank(a.key) - rank(b.key) || String(a.key).localeCompare(String(b.key)));
  }, [rules.data, clients.data, devices.data, query, t]);
  const byId = useMemo(() => new Map((rules.data ?? []).map((r) => [r.id, r])), [rules.data]);

  return (
    <section aria-labelledby="rules-title" data-testid="rules-page">
      <PageHead title={t('rules.title')} titleId="rules-title" subtitle={t('rules.subtitle')} />
      <div class="toolbar">
        <input
          type="search"
          class="search"
          placeholder={t('rules.search')}
          aria-label={t('rules.searchLabel')}
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
        />
      </div>
      {!rules.data ? (
        <LoadState status={rules.status} error={rules.error} onRetry={rules.reload} what={t('load.rules')} />
      ) : groups.length === 0 ? (
        <EmptyState title={query ? t('rules.noMatch') : t('rules.none')} />
      ) : (
        groups.map((g) => (
          <section key={g.key} class="rule-group" aria-label={typeof g.title === 'string' ? g.title : undefined}>
            <h2 class="group-title">{g.title}</h2>
            <ul class="rule-list">
              {g.rules.map((r) => (
                <RuleItem
                  key={r.id}
                  rule={r}
                  base={r.overridesRuleId ? byId.get(r.overridesRuleId) : undefined}
                  clients={clients.data ?? []}
                  devices={devices.data ?? []}
                  onChanged={rules.reload}
                />
              ))}
            </ul>
          </section>
        ))
      )}
    </section>
  );
}
