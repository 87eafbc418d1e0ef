/** Login screen: POST /api/login, showing the server's own error message when it refuses. */
import { useState } from 'preact/hooks';
import type { SessionUser } from '../../../../shared/api-types.js';
import { ApiError, describeError } from '../../lib/api.js';
import { useApp } from '../../lib/app-context.js';
import './login.css';

export function LoginView({ onLogin }: { onLogin: (user: SessionUser) => void }) {
  const { api } = useApp();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [isBusy, setIsBusy] = useState(false);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setIsBusy(true);
    setError(null);
    try {
      onLogin(await api.login(username.trim(), password));
    } catch (err) {
      setError({ code: err instanceof ApiError ? err.code : 'ERROR', message: describeError(err) });
      setPassword('');
    } finally {
      setIsBusy(false);
    }
  };

  return (
    <section class="login" aria-labelledby="login-title">
      <form class="login-card" onSubmit={submit} data-testid="login-form">
        <h1 id="login-title">Sign in</h1>
        <p class="muted">Quarkpulse Monitor — technician dashboard</p>
        <label class="field">
          <span>Username</span>
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
          <span>Password</span>
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
        <button type="submit" class="btn btn-primary" disabled={isBusy || !username || !password} data-testid="login-submit">
          {isBusy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
