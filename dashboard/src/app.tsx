/**
 * App shell: finds out who is logged in (GET /api/me), shows the login screen while nobody is,
 * starts the live socket once someone is, and picks the page from the hash route. Pages that
 * draw charts load on first use (lib/lazy.tsx), so the fleet page does not wait for chart.js.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { SessionUser } from '../../shared/api-types.js';
import { ApiError, describeError, type Api } from './lib/api.js';
import { AppContext, type AppServices } from './lib/app-context.js';
import { AccountView } from './pages/account/account-view.js';
import { AlertDetailView } from './pages/alerts/alert-detail-view.js';
import { AlertsView } from './pages/alerts/alerts-view.js';
import { AuditView } from './pages/audit/audit-view.js';
import { BillingView } from './pages/billing/billing-view.js';
import { ChannelsView } from './pages/channels/channels-view.js';
import { ClientDetailView } from './pages/clients/client-detail-view.js';
import { ClientsView } from './pages/clients/clients-view.js';
import { FleetView } from './pages/fleet/fleet-view.js';
import { IncidentDetailView } from './pages/incidents/incident-detail-view.js';
import { IncidentsView } from './pages/incidents/incidents-view.js';
import { LoginView } from './pages/login/login-view.js';
import { SetupView } from './pages/setup/setup-view.js';
import { TwoFactorRequiredView } from './pages/account/two-factor-panel.js';
import { MaintenanceView } from './pages/maintenance/maintenance-view.js';
import { NotificationsView } from './pages/notifications/notifications-view.js';
import { GapBanner } from './ui/oncall-gaps.js';
import { SelfCheckBanner } from './ui/self-check-banner.js';
import { PublicUrlBanner } from './ui/public-url.js';
import { OnCallView } from './pages/oncall/oncall-view.js';
import { RulesView } from './pages/rules/rules-view.js';
import { SideNav } from './shell/side-nav.js';
import { TopBar } from './shell/top-bar.js';
import { UsersView } from './pages/users/users-view.js';
import { lazyView } from './lib/lazy.js';
import type { LiveClient } from './lib/live.js';
import { navigate, useRoute, type Route } from './lib/router.js';
import { useTheme } from './lib/theme.js';
import { browserLocale, I18nContext, setActiveLocale, storedLocale, storeLocale, translatorFor, useT, type Locale } from './lib/i18n/index.js';
import { Msg } from './lib/i18n/msg.js';

const DeviceView = lazyView(() => import('./pages/device/device-view.js').then((m) => m.DeviceView));

type Session = { status: 'loading' } | { status: 'anonymous' } | { status: 'failed'; message: string } | { status: 'user'; user: SessionUser };

/** The page for a route (signed in). */
function Page({ route }: { route: Route }) {
  switch (route.name) {
    case 'fleet':
    case 'login':
    case 'setup':
      return <FleetView />;
    case 'device':
      return <DeviceView key={route.deviceId} deviceId={route.deviceId} />;
    case 'alerts':
      return <AlertsView state={route.state} />;
    case 'alert':
      return <AlertDetailView key={route.alertId} alertId={route.alertId} />;
    case 'incidents':
      return <IncidentsView state={route.state} />;
    case 'incident':
      return <IncidentDetailView key={route.incidentId} incidentId={route.incidentId} />;
    case 'billing':
      return <BillingView clientId={route.clientId} month={route.month} />;
    case 'clients':
      return <ClientsView />;
    case 'client':
      return <ClientDetailView key={route.clientId} clientId={route.clientId} />;
    case 'rules':
      return <RulesView />;
    case 'maintenance':
      return <MaintenanceView />;
    case 'oncall':
      return <OnCallView />;
    case 'channels':
      return <ChannelsView />;
    case 'audit':
      return <AuditView filters={{ actor: route.actor ?? '', entityType: route.entityType ?? '', entityId: route.entityId ?? '' }} />;
    case 'users':
      return <UsersView />;
    case 'account':
      return <AccountView />;
    case 'notifications':
      return <NotificationsView />;
    case 'not-found':
      return <NotFound path={route.path} />;
  }
}

function NotFound({ path }: { path: string }) {
  const t = useT();
  return (
    <div class="splash">
      <h1>{t('app.notFound.title')}</h1>
      <p>
        <Msg k="app.notFound.body" values={{ path: <code>{path}</code> }} /> <a href="#/">{t('app.notFound.back')}</a>
      </p>
    </div>
  );
}

export function App({ api, live }: { api: Api; live: LiveClient }) {
  const [theme, toggleTheme] = useTheme();
  const [session, setSession] = useState<Session>({ status: 'loading' });
  const [isNavOpen, setIsNavOpen] = useState(false);
  const route = useRoute();
  const returnTo = useRef('#/');
  const user = session.status === 'user' ? session.user : null;
  // The language: the user's choice, else this browser's last choice, else the browser's languages.
  const [localChoice, setLocalChoice] = useState<Locale | null>(storedLocale);
  const locale: Locale = user?.locale ?? localChoice ?? browserLocale();
  setActiveLocale(locale);
  const t = translatorFor(locale);
  const setLocale = useMemo(
    () => async (next: Locale | null) => {
      const saved = await api.setLocale(next);
      storeLocale(saved.locale);
      setLocalChoice(saved.locale);
      setSession((s) => (s.status === 'user' ? { status: 'user', user: { ...s.user, locale: saved.locale } } : s));
    },
    [api],
  );
  const services = useMemo<AppServices>(() => ({ api, live, theme, user, locale, setLocale }), [api, live, theme, user, locale, setLocale]);
  // Remember a signed-in user's choice in this browser, so the login page after a logout speaks it.
  const userLocale = user?.locale;
  useEffect(() => {
    if (userLocale === undefined) return;
    storeLocale(userLocale);
    setLocalChoice(userLocale);
  }, [userLocale]);

  const loadSession = () => {
    setSession({ status: 'loading' });
    api.getMe().then(
      (me) => setSession({ status: 'user', user: me }),
      (err: unknown) => {
        if (err instanceof ApiError && err.isUnauthorized) setSession({ status: 'anonymous' });
        else setSession({ status: 'failed', message: describeError(err) });
      },
    );
  };

  useEffect(loadSession, [api]);
  // A fresh server waits for its setup: anyone arriving is sent to the setup page.
  const [isSetupNeeded, setIsSetupNeeded] = useState(false);
  useEffect(() => {
    // One failed request (a busy server, a dropped connection) must not leave a fresh server's
    // visitor on a login page nobody can use: ask again, a little later each time.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let isGone = false;
    const ask = (attempt: number) => {
      api.getSetup().then(
        (s) => !isGone && setIsSetupNeeded(s.isNeeded),
        () => {
          if (!isGone && attempt < 6) timer = setTimeout(() => ask(attempt + 1), 500 * 2 ** attempt);
        },
      );
    };
    ask(0);
    return () => {
      isGone = true;
      clearTimeout(timer);
    };
  }, [api]);
  useEffect(() => api.onUnauthorized(() => setSession({ status: 'anonymous' })), [api]);
  useEffect(() => live.onSessionEnded(() => setSession({ status: 'anonymous' })), [live]);

  // A user who must set up two-factor login first gets no live socket (the server refuses it).
  const mustEnrol = session.status === 'user' && !!session.user.twoFactor?.isRequired && !session.user.twoFactor.isEnrolled;
  const isUser = session.status === 'user' && !mustEnrol;
  useEffect(() => {
    if (!isUser) return;
    live.start();
    return () => live.stop();
  }, [isUser, live]);

  // Keep the URL honest: #/login while anonymous, and back to where the user was after login.
  useEffect(() => {
    if (session.status === 'anonymous' && isSetupNeeded && route.name !== 'setup') {
      navigate('#/setup', true);
    } else if (session.status === 'anonymous' && route.name !== 'login' && route.name !== 'setup') {
      returnTo.current = window.location.hash && window.location.hash !== '#/login' ? window.location.hash : '#/';
      navigate('#/login', true);
    } else if (session.status === 'user' && (route.name === 'login' || route.name === 'setup')) {
      navigate(returnTo.current, true);
    }
  }, [session.status, route.name, isSetupNeeded]);

  // A page change closes the phone menu and moves focus to the new page for screen readers.
  const routeKey = window.location.hash;
  const routePath = routeKey.split('?')[0];
  const isFirstRoute = useRef(true);
  useEffect(() => {
    setIsNavOpen(false);
    if (isFirstRoute.current) {
      isFirstRoute.current = false;
      return;
    }
    document.getElementById('main')?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [routePath]);

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
    content = (
      <div class="splash" aria-busy="true">
        {t('app.loading')}
      </div>
    );
  } else if (session.status === 'failed') {
    content = (
      <div class="splash" role="alert">
        <p>{session.message}</p>
        <button type="button" class="btn" onClick={loadSession}>
          {t('app.tryAgain')}
        </button>
      </div>
    );
  } else if (session.status === 'anonymous' && route.name === 'setup') {
    content = (
      <SetupView
        code={route.code}
        onDone={(me) => {
          setIsSetupNeeded(false);
          returnTo.current = '#/';
          setSession({ status: 'user', user: me });
        }}
      />
    );
  } else if (session.status === 'anonymous') {
    content = <LoginView onLogin={(me) => setSession({ status: 'user', user: me })} />;
  } else if (mustEnrol) {
    // The server refuses everything else until then.
    content = <TwoFactorRequiredView onEnrolled={loadSession} />;
  } else {
    content = <Page route={route} />;
  }

  return (
    <I18nContext.Provider value={t}>
      <AppContext.Provider value={services} key={locale}>
        {/* A button, not an anchor: `#main` would be taken for a route by the hash router. */}
        <button type="button" class="skip-link" onClick={() => document.getElementById('main')?.focus()}>
          {t('app.skipToContent')}
        </button>
        <TopBar
          user={user}
          theme={theme}
          onToggleTheme={toggleTheme}
          onLogout={logout}
          isNavOpen={isNavOpen}
          onToggleNav={() => setIsNavOpen((v) => !v)}
          isRestricted={mustEnrol}
        />
        <div class={user && !mustEnrol ? 'shell' : 'shell shell-anonymous'}>
          {user && !mustEnrol && <SideNav route={route} isOpen={isNavOpen} onClose={() => setIsNavOpen(false)} />}
          <main id="main" tabIndex={-1}>
            {user && !mustEnrol && <SelfCheckBanner key={`checks-${route.name}`} />}
            {user && !mustEnrol && <PublicUrlBanner key={`url-${route.name}`} />}
            {user && <GapBanner key={route.name} />}
            {content}
          </main>
        </div>
      </AppContext.Provider>
    </I18nContext.Provider>
  );
}
