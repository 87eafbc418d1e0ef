/** The header: menu button (phones), brand, live connection state, theme toggle and the signed-in user with logout. */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../../../shared/api-types.js';
import { useApp } from '../lib/app-context.js';
import type { LiveState } from '../lib/live.js';
import type { Theme } from '../lib/theme.js';
import { useT, type DashKey } from '../lib/i18n/index.js';

const liveLabels: Record<LiveState, DashKey> = {
  idle: 'topBar.connecting',
  connecting: 'topBar.connecting',
  open: 'topBar.live',
  reconnecting: 'topBar.reconnecting',
};

interface Props {
  user: SessionUser | null;
  theme: Theme;
  onToggleTheme: () => void;
  onLogout: () => void;
  isNavOpen: boolean;
  onToggleNav: () => void;
  /** Only two-factor set-up is open to this user: no menu, no live state. */
  isRestricted?: boolean;
}

export function TopBar({ user, theme, onToggleTheme, onLogout, isNavOpen, onToggleNav, isRestricted = false }: Props) {
  const { live } = useApp();
  const t = useT();
  const [liveState, setLiveState] = useState<LiveState>(live.state);
  useEffect(() => {
    setLiveState(live.state);
    return live.onState(setLiveState);
  }, [live]);

  return (
    <header class="top-bar">
      <div class="top-bar-start">
        {user && !isRestricted && (
          <button
            type="button"
            class="icon-btn menu-btn"
            aria-label={isNavOpen ? t('topBar.closeMenu') : t('topBar.openMenu')}
            aria-expanded={isNavOpen}
            aria-controls="side-nav"
            onClick={onToggleNav}
            data-testid="menu-toggle"
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              {isNavOpen ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
            </svg>
          </button>
        )}
        <a class="brand" href="#/" aria-label={t('topBar.brandLabel')}>
          <svg class="brand-mark" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="7" />
            <path d="M5 17h6l3-8 4 15 3-7h6" />
          </svg>
          <span class="brand-name">Quarkpulse</span>
        </a>
      </div>
      <div class="top-bar-end">
        {user && !isRestricted && (
          <span class={`live-pill live-${liveState}`} data-testid="live-state" title={t('topBar.liveTitle')}>
            <span class="live-dot" aria-hidden="true" />
            {t(liveLabels[liveState])}
          </span>
        )}
        <button
          type="button"
          class="icon-btn"
          onClick={onToggleTheme}
          aria-label={theme === 'dark' ? t('topBar.toLight') : t('topBar.toDark')}
          title={theme === 'dark' ? t('topBar.lightTheme') : t('topBar.darkTheme')}
          data-testid="theme-toggle"
        >
          {theme === 'dark' ? (
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <circle cx="12" cy="12" r="4.5" />
              <path d="M12 2v2.5M12 19.5V22M2 12h2.5M19.5 12H22M4.9 4.9l1.8 1.8M17.3 17.3l1.8 1.8M4.9 19.1l1.8-1.8M17.3 6.7l1.8-1.8" />
            </svg>
          ) : (
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z" />
            </svg>
          )}
        </button>
        {user && (
          <>
            <a
              class="user-name"
              href="#/account"
              data-testid="current-user"
              title={t('topBar.signedInAs', { username: user.username, role: t(`role.${user.role}`) })}
            >
              {user.username}
              {user.role === 'viewer' && <span class="role-tag">{t('topBar.viewer')}</span>}
            </a>
            <button type="button" class="btn btn-quiet" onClick={onLogout} data-testid="logout">
              {t('topBar.logout')}
            </button>
          </>
        )}
      </div>
    </header>
  );
}
