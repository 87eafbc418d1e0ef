/**
 * App shell: finds out who is logged in (GET /api/me), shows the login screen while nobody is,
 * starts the live socket once someone is, and picks the view from the hash route.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../../shared/api-types.js';
import { ApiError, describeError, type Api } from './api.js';
import { AppContext, type AppServices } from './app-context.js';
import { DeviceView } from './components/device-view.js';
import { FleetView } from './components/fleet-view.js';
import { LoginView } from './components/login-view.js';
import { NotificationsView } from './components/notifications-view.js';
import { TopBar } from './components/top-bar.js';
import type { LiveClient } from './live.js';
import { navigate, useRoute } from './router.js';
import { useTheme } from './theme.js';

type Session = { status: 'loading' } | { status: 'anonymous' } | { status: 'failed'; message: string } | { status: 'user'; user: SessionUser };

export function App({ api, live }: { api: Api; live: LiveClient }) {
  const [theme, toggleTheme] = useTheme();
  const [session, setSession] = useState<Session>({ status: 'loading' });
  const route = useRoute();
  const returnTo = useRef('#/');
  const services = useMemo<AppServices>(() => ({ api, live, theme }), [api, live, theme]);

  const loadSession = () => {
    setSession({ status: 'loading' });
    api.getMe().then(
      (user) => setSession({ status: 'user', user }),
      (err: unknown) => {
        if (err instanceof ApiError && err.isUnauthorized) setSession({ status: 'anonymous' });
        else setSession({ status: 'failed', message: describeError(err) });
      },
    );
  };

  useEffect(loadSession, [api]);
  useEffect(() => api.onUnauthorized(() => setSession({ status: 'anonymous' })), [api]);

  const isUser = session.status === 'user';
  useEffect(() => {
    if (!isUser) return;
    live.start();
    return () => live.stop();
  }, [isUser, live]);

  // Keep the URL honest: #/login while anonymous, and back to where the user was after login.
  useEffect(() => {
    if (session.status === 'anonymous' && route.name !== 'login') {
      returnTo.current = window.location.hash && window.location.hash !== '#/login' ? window.location.hash : '#/';
      navigate('#/login', true);
    } else if (session.status === 'user' && route.name === 'login') {
      navigate(returnTo.current, true);
    }
  }, [session.status, route.name]);

  const logout = async () => {
    try {
      await api.logout();
    } catch {
      // the session is gone either way
    }
    returnTo.current = '#/';
    setSession({ status: 'anonymous' });
  };

  let content;
  if (session.status === 'loading') {
    content = <div class="splash" aria-busy="true">Loading…</div>;
  } else if (session.status === 'failed') {
    content = (
      <div class="splash" role="alert">
        <p>{session.message}</p>
        <button type="button" class="btn" onClick={loadSession}>
          Try again
        </button>
      </div>
    );
  } else if (session.status === 'anonymous') {
    content = <LoginView onLogin={(user) => setSession({ status: 'user', user })} />;
  } else if (route.name === 'device') {
    content = <DeviceView key={route.deviceId} deviceId={route.deviceId} />;
  } else if (route.name === 'notifications') {
    content = <NotificationsView canRetry={session.user.role !== 'viewer'} />;
  } else if (route.name === 'not-found') {
    content = (
      <div class="splash">
        <h1>Page not found</h1>
        <p>
          There is nothing at <code>{route.path}</code>. <a href="#/">Back to the fleet</a>
        </p>
      </div>
    );
  } else {
    content = <FleetView />;
  }

  return (
    <AppContext.Provider value={services}>
      {/* A button, not an anchor: `#main` would be taken for a route by the hash router. */}
      <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <TopBar user={session.status === 'user' ? session.user : null} theme={theme} onToggleTheme={toggleTheme} onLogout={logout} />
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </AppContext.Provider>
  );
}
