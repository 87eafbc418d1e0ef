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

/** `every 30 s · watches Spooler, sshd · off: updates, printers`. */
export function describeAgentConfig(c: AgentConfig): string {
  const off = Object.entries(c.collectors ?? {})
    .filter(([, on]) => on === false)
    .map(([n]) => n);
  // No list from the server means the agent keeps its own (from its config file or defaults).
  const services =
    c.watchedServices === undefined
      ? "the agent's own service list"
      : c.watchedServices.length
        ? `watches ${c.watchedServices.join(', ')}`
        : 'no watched services';
  return [`every ${c.intervalMs / 1000} s`, services, off.length ? `off: ${off.join(', ')}` : 'all collectors on'].join(' · ');
}

/** What a client's own settings say, e.g. `every 30 s · watches Spooler`; a sentence when empty. */
export function describeSettings(s: AgentSettings): string {
  const off = Object.entries(s.collectors ?? {})
    .filter(([, on]) => on === false)
    .map(([n]) => n);
  const parts = [
    s.intervalMs !== undefined ? `every ${s.intervalMs / 1000} s` : '',
    s.watchedServices?.length ? `watches ${s.watchedServices.join(', ')}` : '',
    off.length ? `off: ${off.join(', ')}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : 'Nothing set: each agent uses its own interval and runs every collector';
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
  return <p class="muted">{status === 'error' ? `Could not load the agent settings: ${error}` : 'Loading agent settings…'}</p>;
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
  return (
    <details class="panel disclosure settings-fold" data-testid={testId}>
      <summary>
        {summary}
        <span class="fold-action">{canAct ? 'Change' : 'Details'}</span>
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
        baselineName="the agent"
        canEdit={canAct}
        testId="client-agent-settings"
        onSave={async (settings) => {
          const answer = await api.putClientAgentConfig(clientId, settings);
          setVersion((v) => v + 1);
          const n = answer.pushedTo ?? 0;
          setMessage(
            `Saved. ${n === 0 ? 'No agent of this client is connected; each gets the settings when it connects.' : `Sent to ${n} connected agent${n === 1 ? '' : 's'} now; the others get them when they connect.`}`,
          );
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
      Runs with: {describeAgentConfig(loaded.data.effective)}
    </span>
  );
  return (
    <SettingsFold testId="device-agent" summary={summary} canAct={canAct} message={message}>
      <AgentSettingsForm
        key={version}
        own={loaded.data.config}
        baseline={loaded.data.clientConfig}
        baselineName="the client"
        canEdit={canAct}
        testId="device-agent-settings"
        onSave={async (settings) => {
          const answer = await api.putDeviceAgentConfig(deviceId, settings);
          setMessage(`Saved. ${answer.isPushed ? 'The agent has the new settings now.' : 'The agent gets them when it next connects.'}`);
          setVersion((v) => v + 1);
        }}
      />
    </SettingsFold>
  );
}
