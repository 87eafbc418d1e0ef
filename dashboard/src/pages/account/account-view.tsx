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
import { browserLocale, isLocale, LOCALES, useT } from '../../lib/i18n/index.js';

/** Nederlands/English, or as the browser says (null); saved on the server for this user. */
function LanguagePanel() {
  const { locale, setLocale, user } = useApp();
  const t = useT();
  const action = useAction();
  const choice = user?.locale ?? '';
  return (
    <section class="panel narrow-panel" aria-labelledby="language-title" data-testid="language-panel">
      <h2 id="language-title">{t('account.language.title')}</h2>
      <p class="muted">{t('account.language.intro')}</p>
      <Field label={t('account.language.label')}>
        <select
          class="select"
          value={choice}
          disabled={action.isBusy}
          onChange={(e) => {
            const v = e.currentTarget.value;
            void action.run(() => setLocale(isLocale(v) ? v : null));
          }}
          data-testid="account-locale"
        >
          <option value="">{t('account.language.browser', { language: t(`language.${browserLocale()}`) })}</option>
          {LOCALES.map((l) => (
            <option key={l} value={l} lang={l}>
              {t(`language.${l}`)}
            </option>
          ))}
        </select>
      </Field>
      <ErrorNote message={action.error} />
      <span hidden data-testid="active-locale">
        {locale}
      </span>
    </section>
  );
}

export function AccountView() {
  const { api, user } = useApp();
  const t = useT();
  const action = useAction();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [isDone, setIsDone] = useState(false);
  const mismatch = repeat.length > 0 && repeat !== next;
  const me = useLoad(() => (user ? api.getPerson(user.id) : Promise.reject(new Error(t('account.notSignedIn')))), [api, user?.id]);

  return (
    <section aria-labelledby="account-title" data-testid="account-page">
      <PageHead
        title={t('account.title')}
        titleId="account-title"
        subtitle={user ? t('account.subtitle', { username: user.username, role: user.role }) : undefined}
      />
      <LanguagePanel />
      {user && (
        <section class="panel narrow-panel" aria-labelledby="paging-title" data-testid="my-contacts">
          <h2 id="paging-title">{t('account.paging.title')}</h2>
          <p class="muted">{t('account.paging.intro')}</p>
          {me.data ? (
            <>
              <EmailEditor userId={user.id} email={me.data.email} label={t('account.paging.email')} />
              <ContactPoints userId={user.id} username={user.username} canEdit isSelf />
              <TestPageButton />
            </>
          ) : (
            <p class="muted">{me.status === 'error' ? me.error : t('app.loading')}</p>
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
        <h2 class="form-title">{t('account.password.title')}</h2>
        <Field label={t('account.password.current')} wide>
          <input
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onInput={(e) => setCurrent(e.currentTarget.value)}
            data-testid="current-password"
          />
        </Field>
        <Field label={t('account.password.new')} hint={t('account.password.newHint')} wide>
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
        <Field label={t('account.password.repeat')} wide>
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
        {mismatch && <p class="form-error">{t('account.password.mismatch')}</p>}
        <div class="button-row">
          <button
            type="submit"
            class="btn btn-primary"
            disabled={action.isBusy || !current || next.length < 10 || next !== repeat}
            data-testid="change-password"
          >
            {t('account.password.submit')}
          </button>
        </div>
        <ErrorNote message={action.error} />
        {isDone && (
          <p class="notice" role="status" data-testid="password-changed">
            {t('account.password.done')}
          </p>
        )}
      </form>
    </section>
  );
}
