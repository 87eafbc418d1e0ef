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

const handleHints: Record<string, string> = {
  email: 'address (empty = their e-mail)',
  ntfy: 'their topic (empty = the channel’s)',
  slack: 'member id, e.g. U012AB3CD',
  teams: 'name to mention',
  webhook: 'name to mention',
};

/** What a contact point without a handle uses. */
const defaultHandle: Record<string, string> = { email: 'the account’s e-mail', ntfy: 'the channel’s topic' };

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
        {!value.trim() && saved ? 'Clear e-mail' : 'Save e-mail'}
      </button>
      <ErrorNote message={action.error} />
    </form>
  );
}

function AddContact({ userId, channels, onAdded }: { userId: string; channels: ChannelView[]; onAdded: (c: ContactPoint) => void }) {
  const { api } = useApp();
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
        aria-label="Channel"
        value={channelId}
        onChange={(e) => setChannelId(e.currentTarget.value)}
        data-testid="contact-channel"
      >
        <option value="">Add a channel…</option>
        {channels.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name} ({c.type})
          </option>
        ))}
      </select>
      <input
        aria-label="Handle"
        maxLength={320}
        placeholder={channel ? (handleHints[channel.type] ?? 'handle') : 'handle'}
        value={handle}
        onInput={(e) => setHandle(e.currentTarget.value)}
        data-testid="contact-handle"
      />
      <button type="submit" class="btn btn-small" disabled={action.isBusy || !channelId} data-testid="contact-add">
        Add
      </button>
      <ErrorNote message={action.error} testId="contact-error" />
    </form>
  );
}

/** A user's contact points; `canEdit` shows add and remove. */
export function ContactPoints({ userId, username, canEdit, isSelf = false }: { userId: string; username: string; canEdit: boolean; isSelf?: boolean }) {
  const { api } = useApp();
  const contacts = useLoad(() => api.listContacts(userId), [api, userId]);
  const channels = useLoad(() => api.listChannels(), [api]);
  const action = useAction();
  const list = contacts.data ?? [];

  return (
    <div class="contacts" data-testid="contact-points">
      {!contacts.data ? (
        <p class="muted">{contacts.status === 'error' ? contacts.error : 'Loading contact points…'}</p>
      ) : list.length === 0 ? (
        <p class="muted" data-testid="contacts-empty">
          No contact points: {isSelf ? 'you are' : `${username} is`} paged on no channel yet.
        </p>
      ) : (
        <ul class="row-list contact-list">
          {list.map((c) => (
            <li key={c.id} data-testid="contact-row">
              <span>
                <strong>{c.channelName}</strong> <span class="muted">({c.channelType})</span>{' '}
                {c.handle ?? <span class="muted">{defaultHandle[c.channelType] ?? 'no handle'}</span>}
              </span>
              {canEdit && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet"
                  disabled={action.isBusy}
                  aria-label={`Remove ${c.channelName} from ${username}`}
                  onClick={() => action.run(async () => (await api.removeContact(userId, c.id), contacts.setData(list.filter((x) => x.id !== c.id))))}
                >
                  Remove
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
            There are no channels yet; create one under <a href="#/channels">Channels</a>.
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
