/**
 * The second login step: the 6-digit code from the authenticator app, or one of the recovery
 * codes. The session starts only when this passes (POST /api/login/second-factor); the server's
 * message is shown as it is when it refuses.
 */
import { useState } from 'preact/hooks';
import type { SessionUser } from '../../../../shared/api-types.js';
import { ApiError, describeError } from '../../lib/api.js';
import { useApp } from '../../lib/app-context.js';
import { useT } from '../../lib/i18n/index.js';

export function SecondFactorForm({
  challenge,
  username,
  onLogin,
  onRestart,
}: {
  challenge: string;
  username: string;
  onLogin: (user: SessionUser) => void;
  onRestart: () => void;
}) {
  const { api } = useApp();
  const t = useT();
  const [isRecovery, setIsRecovery] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const isChallengeGone = error?.code === 'LOGIN_CHALLENGE_INVALID';

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      onLogin(await api.loginSecondFactor(challenge, isRecovery ? { recoveryCode: value.trim() } : { code: value.replace(/\s/g, '') }));
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', message: describeError(err) });
      setValue('');
    } finally {
      setIsBusy(false);
    }
  };

  return (
    <form class="login-card" onSubmit={submit} data-testid="second-factor-form">
      <h1 id="login-title">{t('login.2fa.title')}</h1>
      <p class="muted">{isRecovery ? t('login.2fa.recoveryIntro', { username }) : t('login.2fa.codeIntro', { username })}</p>
      <label class="field">
        <span>{isRecovery ? t('login.2fa.recoveryCode') : t('login.2fa.code')}</span>
        {isRecovery ? (
          <input
            key="recovery"
            name="recovery-code"
            autoComplete="off"
            autoCapitalize="none"
            spellcheck={false}
            required
            autoFocus
            placeholder="xxxx-xxxx-xxxx-xxxx"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            data-testid="recovery-code"
          />
        ) : (
          <input
            key="code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            maxLength={7}
            required
            autoFocus
            placeholder="123456"
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            data-testid="totp-code"
          />
        )}
      </label>
      {error && (
        <p class="form-error" role="alert" data-testid="login-error" data-code={error.code}>
          {error.message}
        </p>
      )}
      {isChallengeGone ? (
        <button type="button" class="btn btn-primary" onClick={onRestart} data-testid="login-restart">
          {t('login.2fa.again')}
        </button>
      ) : (
        <button type="submit" class="btn btn-primary" disabled={isBusy || !value.trim()} data-testid="second-factor-submit">
          {isBusy ? t('login.2fa.checking') : t('login.submit')}
        </button>
      )}
      <div class="login-links">
        <button
          type="button"
          class="btn btn-quiet btn-small"
          onClick={() => {
            setIsRecovery((v) => !v);
            setValue('');
            setError(null);
          }}
          data-testid="toggle-recovery"
        >
          {isRecovery ? t('login.2fa.useApp') : t('login.2fa.useRecovery')}
        </button>
        <button type="button" class="btn btn-quiet btn-small" onClick={onRestart}>
          {t('login.2fa.someoneElse')}
        </button>
      </div>
    </form>
  );
}
