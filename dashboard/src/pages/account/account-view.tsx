/**
 * Your account: who you are signed in as, how you are paged (your e-mail and contact points),
 * and changing your password (which signs out your other sessions).
 */
import { useState } from 'preact/hooks';
import { TwoFactorPanel } from './two-factor-panel.js';
import { useApp } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { ContactPoints, EmailEditor } from '../../ui/contact-points.js';
import { TestPageButton } from '../../ui/test-page.js';
import { ErrorNote, Field, PageHead } from '../../ui/ui.js';
import './account.css';

const roleText = {
  admin: 'Admin: everything, including users and global rules.',
  technician: 'Technician: handles alerts and incidents, manages clients, rules and maintenance windows.',
  viewer: 'Viewer: reads everything, changes nothing.',
} as const;

export function AccountView() {
  const { api, user } = useApp();
  const action = useAction();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [isDone, setIsDone] = useState(false);
  const mismatch = repeat.length > 0 && repeat !== next;
  const me = useLoad(() => (user ? api.getPerson(user.id) : Promise.reject(new Error('not signed in'))), [api, user?.id]);

  return (
    <section aria-labelledby="account-title" data-testid="account-page">
      <PageHead title="Account" titleId="account-title" subtitle={user ? `Signed in as ${user.username}. ${roleText[user.role]}` : undefined} />
      {user && (
        <section class="panel narrow-panel" aria-labelledby="paging-title" data-testid="my-contacts">
          <h2 id="paging-title">How you are paged</h2>
          <p class="muted">Escalation policies reach you through these. An e-mail contact point without an address uses your e-mail.</p>
          {me.data ? (
            <>
              <EmailEditor userId={user.id} email={me.data.email} label="Your e-mail" />
              <ContactPoints userId={user.id} username={user.username} canEdit isSelf />
              <TestPageButton />
            </>
          ) : (
            <p class="muted">{me.status === 'error' ? me.error : 'Loading…'}</p>
          )}
        </section>
      )}
      <TwoFactorPanel />
      <form
        class="panel form-grid narrow"
        onSubmit={(e) => {
          e.preventDefault();
          setIsDone(false);
          void action.run(async () => {
            await api.changePassword(current, next);
            setCurrent('');
            setNext('');
            setRepeat('');
            setIsDone(true);
          });
        }}
        data-testid="password-form"
      >
        <h2 class="form-title">Change password</h2>
        <Field label="Current password" wide>
          <input
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
            data-testid="current-password"
          />
        </Field>
        <Field label="New password" hint="at least 10 characters" wide>
          <input
            type="password"
            required
            minLength={10}
            autoComplete="new-password"
            value={next}
            onInput={(e) => setNext(e.currentTarget.value)}
            data-testid="new-password"
          />
        </Field>
        <Field label="New password again" wide>
          <input
            type="password"
            required
            autoComplete="new-password"
            value={repeat}
            onInput={(e) => setRepeat(e.currentTarget.value)}
            aria-invalid={mismatch}
            data-testid="repeat-password"
          />
        </Field>
        {mismatch && <p class="form-error">The two new passwords differ.</p>}
        <div class="button-row">
          <button
            type="submit"
            class="btn btn-primary"
            disabled={action.isBusy || !current || next.length < 10 || next !== repeat}
            data-testid="change-password"
          >
            Change password
          </button>
        </div>
        <ErrorNote message={action.error} />
        {isDone && (
          <p class="notice" role="status" data-testid="password-changed">
            Password changed. Your other sessions have been signed out.
          </p>
        )}
      </form>
    </section>
  );
}
