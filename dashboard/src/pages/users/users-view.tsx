/**
 * Users (admins only): who can sign in, with which role; add, change role, reset password,
 * remove; and how each person is paged (e-mail and contact points).
 */
import { useState } from 'preact/hooks';
import type { UserAccount, UserRole } from '../../../../shared/api-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { formatDate } from '../../lib/format.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { ContactPoints, EmailEditor } from '../../ui/contact-points.js';
import { EmptyState, ErrorNote, Field, LoadState, PageHead } from '../../ui/ui.js';
import { SsoPanel } from './sso-panel.js';
import './users.css';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';
import { FormActions } from '../../ui/form-actions.js';

const roles: UserRole[] = ['technician', 'viewer', 'admin'];

function NewUserForm({ onCreated }: { onCreated: () => void }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserRole>('technician');
  const [email, setEmail] = useState('');
  return (
    <details class="panel disclosure">
      <summary>{t('users.add')}</summary>
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api.createUser({ username: username.trim(), password, role, email: email.trim() || null });
            setUsername('');
            setPassword('');
            setEmail('');
            onCreated();
          });
        }}
        data-testid="user-form"
      >
        <Field label={t('users.username')}>
          <input required autoComplete="off" maxLength={100} value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        </Field>
        <Field label={t('users.initialPassword')} hint={t('users.initialHint')}>
          <input type="password" required autoComplete="new-password" minLength={10} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </Field>
        <Field label={t('users.role')}>
          <select class="select" value={role} onChange={(e) => setRole(e.currentTarget.value as UserRole)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(`users.role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('users.email')}>
          <input type="email" maxLength={200} value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </Field>
        <p class="field-wide muted">{t(`users.role.${role}.hint`)}</p>
        <FormActions submitLabel={t('users.add')} isDisabled={action.isBusy || !username.trim() || password.length < 10} />
        <ErrorNote message={action.error} />
      </form>
    </details>
  );
}

function UserRow({ user, isSelf, onChanged }: { user: UserAccount; isSelf: boolean; onChanged: () => void }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [isResetting, setIsResetting] = useState(false);
  const [password, setPassword] = useState('');
  return (
    <li class="card user-card" data-testid="user-row" data-username={user.username}>
      <p class="card-title">
        <strong>{user.username}</strong> {isSelf && <span class="tag">{t('users.you')}</span>}
      </p>
      <p class="card-meta">
        {user.email && <span>{user.email}</span>}
        {user.createdAtMs !== undefined && <span>{t('users.since', { date: formatDate(user.createdAtMs) })}</span>}
      </p>
      <div class="card-controls">
        <select
          class="select"
          aria-label={t('users.roleOf', { name: user.username })}
          value={user.role}
          disabled={action.isBusy}
          onChange={(e) => {
            const role = e.currentTarget.value as UserRole;
            void action.run(async () => (await api.updateUser(user.id, { role }), onChanged()));
          }}
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`users.role.${r}`)}
            </option>
          ))}
        </select>
        <button type="button" class="btn btn-small btn-quiet" onClick={() => setIsResetting((v) => !v)}>
          {t('users.reset')}
        </button>
        {!isSelf && (
          <button
            type="button"
            class="btn btn-small btn-quiet"
            disabled={action.isBusy}
            onClick={() =>
              window.confirm(t('users.removeConfirm', { name: user.username })) && action.run(async () => (await api.deleteUser(user.id), onChanged()))
            }
          >
            {t('users.remove')}
          </button>
        )}
      </div>
      {isResetting && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await api.updateUser(user.id, { password });
              setPassword('');
              setIsResetting(false);
            });
          }}
        >
          <input
            type="password"
            autoComplete="new-password"
            aria-label={t('users.newPasswordFor', { name: user.username })}
            placeholder={t('users.newPasswordPlaceholder')}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
          <button type="submit" class="btn btn-small" disabled={action.isBusy || password.length < 10}>
            {t('users.setPassword')}
          </button>
        </form>
      )}
      <details class="user-contacts">
        <summary data-testid="user-contacts-toggle">{t('users.contacts')}</summary>
        <EmailEditor userId={user.id} email={user.email ?? null} label={t('users.emailOf', { name: user.username })} onSaved={onChanged} />
        <ContactPoints userId={user.id} username={user.username} canEdit />
      </details>
      <ErrorNote message={action.error} />
    </li>
  );
}

export function UsersView() {
  const { api, user } = useApp();
  const t = useT();
  const { isAdmin } = usePermissions();
  const users = useLoad(() => api.listUsers(), [api]);
  if (!isAdmin) {
    return (
      <EmptyState title={t('users.onlyAdmins')}>
        <p>
          <Msg k="users.onlyAdminsBody" values={{ link: <a href="#/account">{t('nav.account')}</a> }} />
        </p>
      </EmptyState>
    );
  }
  return (
    <section aria-labelledby="users-title" data-testid="users-page">
      <PageHead title={t('users.title')} titleId="users-title" subtitle={t('users.subtitle')} />
      <NewUserForm onCreated={users.reload} />
      <SsoPanel />
      {!users.data ? (
        <LoadState status={users.status} error={users.error} onRetry={users.reload} what={t('load.users')} />
      ) : (
        <ul class="card-list" data-testid="user-list">
          {users.data.map((u) => (
            <UserRow key={u.id} user={u} isSelf={u.id === user?.id} onChanged={users.reload} />
          ))}
        </ul>
      )}
    </section>
  );
}
