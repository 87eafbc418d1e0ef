/**
 * Agent settings on the client page (for all its machines) and on the device page (this machine
 * only, over the client's), loaded from and saved to /api/{clients,devices}/:id/agent-config.
 * Folded by default: the summary line says what applies, the form is a click away.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { AgentSettings } from '../../../shared/device-admin-types.js';
import type { AgentConfig } from '../../../shared/protocol.js';
import { usePermissions, useApp } from '../lib/app-context.js';
import { useLoad } from '../lib/hooks.js';
import { AgentSettingsForm } from './agent-settings-form.js';
import { activeT, useT } from '../lib/i18n/index.js';
import { formatNumber } from '../lib/format.js';

/** `every 30 s · watches Spooler, sshd · off: updates, printers`. */
export function describeAgentConfig(c: AgentConfig): string {
  const t = activeT();
  const off = Object.entries(c.collectors ?? {})
    .filter(([, on]) => on === false)
    .map(([n]) => n);
  // No list from the server means the agent keeps its own (from its config file or defaults).
  const services =
    c.watchedServices === undefined
      ? t('agent.ownServices')
      : c.watchedServices.length
        ? t('agent.watches', { list: c.watchedServices.join(', ') })
        : t('agent.noServices');
  return [
    t('agent.every', { seconds: formatNumber(c.intervalMs / 1000, 3) }),
    services,
    off.length ? t('agent.off', { list: off.join(', ') }) : t('agent.allOn'),
  ].join(' · ');
}

/** What a client's own settings say, e.g. `every 30 s · watches Spooler`; a sentence when empty. */
export function describeSettings(s: AgentSettings): string {
  const t = activeT();
  const off = Object.entries(s.collectors ?? {})
    .filter(([, on]) => on === false)
    .map(([n]) => n);
  const parts = [
    s.intervalMs !== undefined ? t('agent.every', { seconds: formatNumber(s.intervalMs / 1000, 3) }) : '',
    s.watchedServices?.length ? t('agent.watches', { list: s.watchedServices.join(', ') }) : '',
    off.length ? t('agent.off', { list: off.join(', ') }) : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : t('agent.nothingSet');
}

function SavedNote({ message }: { message: string }) {
  if (!message) return null;
  return (
    <p class="notice saved-note" role="status" data-testid="agent-saved">
      {message}
    </p>
  );
}

/** While the settings load (or when they could not), one line instead of the panel. */
function SettingsLoadState({ status, error }: { status: 'loading' | 'ready' | 'error'; error: string }) {
  const t = useT();
  return <p class="muted">{status === 'error' ? t('agent.loadFailed', { error }) : t('agent.loading')}</p>;
}

/** The folded panel: what applies in the summary; the form and, after a save, what became of it inside. */
function SettingsFold({
  testId,
  summary,
  canAct,
  message,
  children,
}: {
  testId: string;
  summary: ComponentChildren;
  canAct: boolean;
  message: string;
  children: ComponentChildren;
}) {
  const t = useT();
  return (
    <details class="panel disclosure settings-fold" data-testid={testId}>
      <summary>
        {summary}
        <span class="fold-action">{canAct ? t('agent.change') : t('agent.details')}</span>
      </summary>
      {children}
      <SavedNote message={message} />
    </details>
  );
}

export function ClientAgentSettings({ clientId }: { clientId: string }) {
  const { api } = useApp();
  const { canAct } = usePermissions();
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState('');
  const loaded = useLoad(() => api.getClientAgentConfig(clientId), [api, clientId, version]);
  if (!loaded.data) return <SettingsLoadState status={loaded.status} error={loaded.error} />;
  return (
    <SettingsFold testId="client-agent" summary={<span class="effective">{describeSettings(loaded.data.config)}</span>} canAct={canAct} message={message}>
      <AgentSettingsForm
        key={version}
        own={loaded.data.config}
        baseline={{}}
        baselineOf="agent"
        canEdit={canAct}
        testId="client-agent-settings"
        onSave={async (settings) => {
          const answer = await api.putClientAgentConfig(clientId, settings);
          setVersion((v) => v + 1);
          const n = answer.pushedTo ?? 0;
          setMessage(activeT()('agent.savedClient', { count: n }));
        }}
      />
    </SettingsFold>
  );
}

export function DeviceAgentSettings({ deviceId }: { deviceId: string }) {
  const { api } = useApp();
  const { canAct } = usePermissions();
  const [version, setVersion] = useState(0);
  const [message, setMessage] = useState('');
  const loaded = useLoad(() => api.getDeviceAgentConfig(deviceId), [api, deviceId, version]);
  if (!loaded.data) return <SettingsLoadState status={loaded.status} error={loaded.error} />;
  const summary = (
    <span class="effective" data-testid="agent-effective">
      {activeT()('agent.runsWith', { settings: describeAgentConfig(loaded.data.effective) })}
    </span>
  );
  return (
    <SettingsFold testId="device-agent" summary={summary} canAct={canAct} message={message}>
      <AgentSettingsForm
        key={version}
        own={loaded.data.config}
        baseline={loaded.data.clientConfig}
        baselineOf="client"
        canEdit={canAct}
        testId="device-agent-settings"
        onSave={async (settings) => {
          const answer = await api.putDeviceAgentConfig(deviceId, settings);
          setMessage(activeT()('agent.savedDevice', { pushed: answer.isPushed ? 'yes' : 'no' }));
          setVersion((v) => v + 1);
        }}
      />
    </SettingsFold>
  );
}
