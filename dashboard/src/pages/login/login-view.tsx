/**
 * Login screen: POST /api/login, showing the server's own error message when it refuses; with
 * two-factor login on, the second step follows (second-factor-form.tsx). With single sign-on on,
 * a "Sign in with …" button leads to the identity provider; a refused sign-in comes back here
 * as `?sso_error=CODE&sso_message=…`, shown once and then taken off the address bar. When
 * password sign-in is limited to break-glass admins the password form folds away under a link.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser, SignInMethods } from '../../../../shared/api-types.js';
import { ApiError, describeError } from '../../lib/api.js';
import { useApp } from '../../lib/app-context.js';
import { isLoginChallenge } from '../../lib/api-two-factor.js';
import { SecondFactorForm } from './second-factor-form.js';
import './login.css';
import { activeT, useT } from '../../lib/i18n/index.js';

/** A refused single sign-on, from the address the server sent the browser back to; removed from it. */
function takeSsoError(): { code: string; message: string } | null {
  const q = new URLSearchParams(window.location.search);
  const code = q.get('sso_error');
  if (!code) return null;
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash}`);
  return { code, message: q.get('sso_message') ?? activeT()('login.ssoFailed') };
}

export function LoginView({ onLogin }: { onLogin: (user: SessionUser) => void }) {
  const { api } = useApp();
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(takeSsoError);
  const [isBusy, setIsBusy] = useState(false);
  const [challenge, setChallenge] = useState<string | null>(null);
  const [methods, setMethods] = useState<SignInMethods | null>(null);
  const [isShowingPassword, setIsShowingPassword] = useState(false);
  useEffect(() => {
    // An older server without single sign-on answers 404: the password form alone.
    api.getSignInMethods().then(setMethods, () => setMethods({ password: 'everyone', sso: null }));
  }, [api]);
  const isPasswordFolded = methods?.sso != null && methods.password === 'break-glass' && !isShowingPassword;

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      const answer = await api.login(username.trim(), password);
      if (isLoginChallenge(answer)) {
        setChallenge(answer.challenge);
        setPassword('');
      } else onLogin(answer);
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', message: describeError(err) });
      setPassword('');
    } finally {
      setIsBusy(false);
    }
  };

  if (challenge) {
    return (
      <section class="login" aria-labelledby="login-title">
        <SecondFactorForm challenge={challenge} username={username.trim()} onLogin={onLogin} onRestart={() => setChallenge(null)} />
      </section>
    );
  }
  return (
    <section class="login" aria-labelledby="login-title">
      <form class="login-card" onSubmit={submit} data-testid="login-form">
        <h1 id="login-title">{t('login.title')}</h1>
        <p class="muted">{t('login.subtitle')}</p>
        {methods?.sso && (
          <>
            <a class="btn btn-primary login-sso" href={methods.sso.startUrl} data-testid="login-sso">
              {t('login.withSso', { provider: methods.sso.displayName })}
            </a>
            {!isPasswordFolded && <p class="login-or muted">{t('login.or')}</p>}
          </>
        )}
        {isPasswordFolded ? (
          <>
            {error && (
              <p class="form-error" role="alert" data-testid="login-error" data-code={error.code}>
                {error.message}
              </p>
            )}
            <button type="button" class="btn btn-quiet btn-small" onClick={() => setIsShowingPassword(true)} data-testid="login-break-glass">
              {t('login.breakGlass')}
            </button>
          </>
        ) : (
          passwordFields()
        )}
      </form>
    </section>
  );

  // Called, not mounted as a component: a component made in render would remount (and lose focus) at every key.
  function passwordFields() {
    return (
      <>
        <label class="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellcheck={false}
            required
            autoFocus
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="login-username"
          />
        </label>
        <label class="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        {error && (
          <p class="form-error" role="alert" data-testid="login-error" data-code={error.code}>
            {error.message}
          </p>
        )}
        <button type="submit" class={methods?.sso ? 'btn' : 'btn btn-primary'} disabled={isBusy || !username || !password} data-testid="login-submit">
          {isBusy ? t('login.signingIn') : t('login.submit')}
        </button>
      </>
    );
  }
}
