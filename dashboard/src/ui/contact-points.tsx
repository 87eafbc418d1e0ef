/**
 * How one person is paged: their e-mail address and contact points (a channel plus, where the
 * channel needs one, a handle: an address, an ntfy topic, a Slack member id). Used on the Users
 * page (admins, for anyone) and the Account page (everyone, for themselves).
 */
import { useState } from 'preact/hooks';
import type { ChannelView, ContactPoint } from '../../../shared/notify-types.js';
import { useApp } from '../lib/app-context.js';
import { useAction, useLoad } from '../lib/hooks.js';
import { ErrorNote } from './ui.js';
import { useT, type DashKey } from '../lib/i18n/index.js';
import { Msg } from '../lib/i18n/msg.js';

const handleHints: Record<string, DashKey> = {
  email: 'contacts.hint.email',
  ntfy: 'contacts.hint.ntfy',
  slack: 'contacts.hint.slack',
  teams: 'contacts.hint.teams',
  webhook: 'contacts.hint.webhook',
};

/** What a contact point without a handle uses. */
const defaultHandle: Record<string, DashKey> = { email: 'contacts.default.email', ntfy: 'contacts.default.ntfy' };

/** Edits a user's e-mail address (PATCH /api/users/:id { email }). */
export function EmailEditor({
  userId,
  email,
  label,
  onSaved,
}: {
  userId: string;
  email: string | null;
  label: string;
  onSaved?: (email: string | null) => void;
}) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [value, setValue] = useState(email ?? '');
  const [saved, setSaved] = useState(email ?? '');
  const isChanged = value.trim() !== saved;
  return (
    <form
      class="inline-form email-form"
      onSubmit={(e) => {
        e.preventDefault();
        const next = value.trim() || null;
        void action.run(async () => {
          await api.setEmail(userId, next);
          setSaved(next ?? '');
          onSaved?.(next);
        });
      }}
    >
      <input
        type="email"
        maxLength={320}
        aria-label={label}
        placeholder="name@example.com"
        value={value}
        onInput={(e) => setValue(e.currentTarget.value)}
        data-testid="email-input"
      />
      <button type="submit" class="btn btn-small" disabled={action.isBusy || !isChanged} data-testid="email-save">
        {!value.trim() && saved ? t('contacts.clearEmail') : t('contacts.saveEmail')}
      </button>
      <ErrorNote message={action.error} />
    </form>
  );
}

function AddContact({ userId, channels, onAdded }: { userId: string; channels: ChannelView[]; onAdded: (c: ContactPoint) => void }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [channelId, setChannelId] = useState('');
  const [handle, setHandle] = useState('');
  const channel = channels.find((c) => c.id === channelId);
  return (
    <form
      class="contact-form"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          onAdded(await api.addContact(userId, { channelId, ...(handle.trim() ? { handle: handle.trim() } : {}) }));
          setHandle('');
        });
      }}
      data-testid="contact-form"
    >
      <select
        class="select"
        required
        aria-label={t('contacts.channel')}
        value={channelId}
        onChange={(e) => setChannelId(e.currentTarget.value)}
        data-testid="contact-channel"
      >
        <option value="">{t('contacts.addChannel')}</option>
        {channels.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({c.type})
          </option>
        ))}
      </select>
      <input
        aria-label={t('contacts.handle')}
        maxLength={320}
        placeholder={t((channel && handleHints[channel.type]) || 'contacts.handlePlaceholder')}
        value={handle}
        onInput={(e) => setHandle(e.currentTarget.value)}
        data-testid="contact-handle"
      />
      <button type="submit" class="btn btn-small" disabled={action.isBusy || !channelId} data-testid="contact-add">
        {t('contacts.add')}
      </button>
      <ErrorNote message={action.error} testId="contact-error" />
    </form>
  );
}

/** A user's contact points; `canEdit` shows add and remove. */
export function ContactPoints({ userId, username, canEdit, isSelf = false }: { userId: string; username: string; canEdit: boolean; isSelf?: boolean }) {
  const { api } = useApp();
  const t = useT();
  const contacts = useLoad(() => api.listContacts(userId), [api, userId]);
  const channels = useLoad(() => api.listChannels(), [api]);
  const action = useAction();
  const list = contacts.data ?? [];

  return (
    <div class="contacts" data-testid="contact-points">
      {!contacts.data ? (
        <p class="muted">{contacts.status === 'error' ? contacts.error : t('contacts.loading')}</p>
      ) : list.length === 0 ? (
        <p class="muted" data-testid="contacts-empty">
          {t('contacts.empty', { isSelf: isSelf ? 'yes' : 'no', username })}
        </p>
      ) : (
        <ul class="row-list contact-list">
          {list.map((c) => (
            <li key={c.id} data-testid="contact-row">
              <span>
                <strong>{c.channelName}</strong> <span class="muted">({c.channelType})</span>{' '}
                {c.handle ?? <span class="muted">{t(defaultHandle[c.channelType] ?? 'contacts.noHandle')}</span>}
              </span>
              {canEdit && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet"
                  disabled={action.isBusy}
                  aria-label={t('contacts.removeLabel', { channel: c.channelName, username })}
                  onClick={() => action.run(async () => (await api.removeContact(userId, c.id), contacts.setData(list.filter((x) => x.id !== c.id))))}
                >
                  {t('contacts.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <ErrorNote message={action.error} />
      {canEdit &&
        channels.data &&
        (channels.data.length === 0 ? (
          <p class="muted">
            <Msg k="contacts.noChannels" values={{ link: <a href="#/channels">{t('nav.channels')}</a> }} />
          </p>
        ) : (
          <AddContact
            userId={userId}
            channels={channels.data.filter((ch) => !list.some((c) => c.channelId === ch.id && c.handle === null))}
            onAdded={(c) => contacts.setData([...list, c])}
          />
        ))}
    </div>
  );
}
