/**
 * The page navigation: a sidebar on wide screens, a drawer behind the menu button on phones.
 * Alerts and Incidents carry live counts (firing alerts, open incidents).
 */
import { useEffect, useRef } from 'preact/hooks';
import { usePermissions, useApp } from '../lib/app-context.js';
import { useLiveAlerts, useLiveIncidents } from '../lib/live-list.js';
import { NAV_ITEMS } from './nav.js';
import { useT } from '../lib/i18n/index.js';
import type { Route } from '../lib/router.js';

const LIST_LIMIT = 500;

/** Live counts for the nav badges. */
function useNavCounts(): Record<'firingAlerts' | 'openIncidents', number | null> {
  const { api } = useApp();
  const firing = useLiveAlerts(
    () => api.listAlerts({ state: 'firing', limit: LIST_LIMIT }),
    (a) => a.state === 'firing',
    [api],
  );
  const open = useLiveIncidents(
    () => api.listIncidents({ state: 'open', limit: LIST_LIMIT }),
    (i) => i.state === 'open',
    [api],
  );
  return {
    firingAlerts: firing.status === 'ready' ? firing.rows.length : null,
    openIncidents: open.status === 'ready' ? open.rows.length : null,
  };
}

interface Props {
  route: Route;
  isOpen: boolean;
  onClose: () => void;
}

export function SideNav({ route, isOpen, onClose }: Props) {
  const t = useT();
  const permissions = usePermissions();
  const counts = useNavCounts();
  const navRef = useRef<HTMLElement>(null);
  // The latest onClose without re-binding the key handler on every render.
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    if (!isOpen) return;
    navRef.current?.querySelector<HTMLElement>('a')?.focus();
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key === 'Escape') onCloseRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [isOpen]);

  return (
    <>
      {isOpen && <div class="nav-scrim" onClick={onClose} aria-hidden="true" />}
      <nav ref={navRef} id="side-nav" class={`side-nav${isOpen ? ' is-open' : ''}`} aria-label={t('nav.pages')} data-testid="side-nav">
        <ul>
          {NAV_ITEMS.filter((item) => item.isVisible?.(permissions) ?? true).map((item) => {
            const count = item.badge ? counts[item.badge] : null;
            return (
              <li key={item.id}>
                <a href={item.href} aria-current={item.isActive(route) ? 'page' : undefined} onClick={onClose} data-testid={`nav-${item.id}`}>
                  <svg viewBox="0 0 24 24" aria-hidden="true">
                    <path d={item.icon} />
                  </svg>
                  <span class="nav-label">{t(item.label)}</span>
                  {count !== null && count > 0 && (
                    <span
                      class={`nav-badge nav-badge-${item.id}`}
                      data-testid={`nav-count-${item.id}`}
                      aria-label={t(count >= LIST_LIMIT ? 'nav.badgeMany' : 'nav.badge', {
                        count,
                        limit: LIST_LIMIT,
                        kind: item.badge === 'firingAlerts' ? 'firing' : 'open',
                      })}
                    >
                      {count >= LIST_LIMIT ? `${LIST_LIMIT}+` : count}
                    </span>
                  )}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
    </>
  );
}
