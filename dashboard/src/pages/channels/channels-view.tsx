/**
 * Channels: where pages go (email relay, signed webhook, Slack, Teams, ntfy). List with secrets
 * masked as the API answers them, create and edit, switch off, delete, and "Send test", which
 * sends at once and shows what the receiver answered (or why it failed). Viewers only read.
 */
import { useState } from 'preact/hooks';
import type { ChannelTestResult, ChannelTypeInfo, ChannelView } from '../../../../shared/notify-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { describeConfig } from './channel-fields.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { ChannelForm } from './channel-form.js';
import { PublicUrlPanel } from '../../ui/public-url.js';
import { EmptyState, ErrorNote, LoadState, PageHead, Time } from '../../ui/ui.js';
import { DeleteButton, EditButton } from '../../ui/card-buttons.js';
import './channels.css';
import { activeT, useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

/** What an empty "to" means for a person channel's test. */
function testPlaceholder(channel: ChannelView): string {
  const t = activeT();
  if (channel.type === 'email') return t('ch.toOwn');
  const topic = channel.config.topic;
  return typeof topic === 'string' ? t('ch.toTopic', { topic }) : t('ch.toRequired');
}

function TestPanel({ channel, audience }: { channel: ChannelView; audience: ChannelTypeInfo['audience'] | undefined }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<ChannelTestResult | null>(null);
  const send = () => {
    setResult(null);
    void action.run(async () => setResult(await api.testChannel(channel.id, to.trim() || undefined)));
  };
  return (
    <div class="channel-test">
      {audience === 'person' && channel.isEnabled && (
        <input
          class="channel-test-to"
          aria-label={t('ch.testTo', { name: channel.name })}
          placeholder={testPlaceholder(channel)}
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      )}
      <button
        type="button"
        class="btn btn-small"
        disabled={action.isBusy || !channel.isEnabled}
        onClick={send}
        data-testid="channel-test"
        title={channel.isEnabled ? undefined : t('ch.switchOn')}
      >
        {action.isBusy ? t('ch.sending') : t('ch.sendTest')}
      </button>
      {result && (
        <p class="test-result is-ok" role="status" data-testid="channel-test-result">
          {t('ch.delivered')}
          {result.httpStatus !== null ? ` — HTTP ${result.httpStatus}` : ''}
          {result.detail ? `: ${result.detail}` : ''}
        </p>
      )}
      <ErrorNote message={action.error} testId="channel-test-error" />
    </div>
  );
}

function ChannelCard({
  channel,
  types,
  onChanged,
  onRemoved,
}: {
  channel: ChannelView;
  types: ChannelTypeInfo[];
  onChanged: (c: ChannelView) => void;
  onRemoved: () => void;
}) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const action = useAction();
  const [isEditing, setIsEditing] = useState(false);
  const info = types.find((x) => x.type === channel.type);
  const summary = describeConfig(channel.type, channel.config);

  return (
    <li class={`card${channel.isEnabled ? '' : ' is-off'}`} data-testid="channel-row" data-channel-id={channel.id} data-channel-name={channel.name}>
      <p class="card-title">
        <strong>{channel.name}</strong> <span class="tag">{info?.label ?? channel.type}</span>
        {!channel.isEnabled && <span class="tag">{t('ch.off')}</span>}
      </p>
      {summary && <p class="channel-config">{summary}</p>}
      <p class="card-meta">
        <span>
          <Msg k="ch.changed" values={{ time: <Time ms={channel.updatedAtMs} /> }} />
          {channel.updatedBy ? t('ch.by', { who: channel.updatedBy }) : ''}
        </span>
      </p>
      {canAct && !isEditing && (
        <>
          <div class="card-controls">
            <label class="switch">
              <input
                type="checkbox"
                role="switch"
                checked={channel.isEnabled}
                disabled={action.isBusy}
                aria-label={t('ch.onLabel', { name: channel.name })}
                onChange={(e) => {
                  const isEnabled = e.currentTarget.checked;
                  void action.run(async () => onChanged(await api.updateChannel(channel.id, { isEnabled })));
                }}
                data-testid="channel-enabled"
              />
              <span>{channel.isEnabled ? t('ch.on') : t('ch.offSwitch')}</span>
            </label>
            <EditButton onClick={() => setIsEditing(true)} testId="channel-edit" />
            <DeleteButton
              question={t('ch.deleteConfirm', { name: channel.name })}
              isDisabled={action.isBusy}
              onDelete={() => action.run(async () => (await api.deleteChannel(channel.id), onRemoved()))}
              testId="channel-delete"
            />
          </div>
          <TestPanel channel={channel} audience={info?.audience} />
        </>
      )}
      {isEditing && (
        <ChannelForm
          types={types}
          channel={channel}
          onCancel={() => setIsEditing(false)}
          onSaved={(c) => {
            setIsEditing(false);
            onChanged(c);
          }}
        />
      )}
      <ErrorNote message={action.error} />
    </li>
  );
}

export function ChannelsView() {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const channels = useLoad(() => api.listChannels(), [api]);
  const types = useLoad(() => api.listChannelTypes(), [api]);
  const [formKey, setFormKey] = useState(0);
  const list = channels.data ?? [];
  const replace = (c: ChannelView) => channels.setData(list.map((x) => (x.id === c.id ? c : x)));

  return (
    <section aria-labelledby="channels-title" data-testid="channels-page">
      <PageHead title={t('ch.title')} titleId="channels-title" subtitle={t('ch.subtitle')} />
      <PublicUrlPanel />
      {canAct && types.data && (
        <details class="panel disclosure" open={channels.status === 'ready' && list.length === 0}>
          <summary data-testid="channel-new">{t('ch.new')}</summary>
          <ChannelForm
            key={formKey}
            types={types.data}
            onSaved={(c) => {
              channels.setData([...list, c].sort((a, b) => a.name.localeCompare(b.name)));
              setFormKey((k) => k + 1);
            }}
          />
        </details>
      )}
      {!channels.data ? (
        <LoadState status={channels.status} error={channels.error} onRetry={channels.reload} what={t('load.channels')} />
      ) : list.length === 0 ? (
        <EmptyState title={t('ch.empty')} testId="channels-empty">
          <p>{t('ch.emptyBody')}</p>
        </EmptyState>
      ) : (
        <ul class="card-list" data-testid="channel-list">
          {list.map((c) => (
            <ChannelCard
              key={c.id}
              channel={c}
              types={types.data ?? []}
              onChanged={replace}
              onRemoved={() => channels.setData(list.filter((x) => x.id !== c.id))}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
