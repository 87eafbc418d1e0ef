/** What every view needs from the app shell, handed down through one Preact context. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { SessionUser } from '../../../shared/api-types.js';
import type { Api } from './api.js';
import type { LiveClient } from './live.js';
import type { Theme } from './theme.js';
import type { Locale } from './i18n/index.js';

export interface AppServices {
  api: Api;
  live: LiveClient;
  theme: Theme;
  /** The signed-in user; null on the login screen. */
  user: SessionUser | null;
  /** The language the dashboard shows (the user's choice, else the browser's). */
  locale: Locale;
  /** Stores the signed-in user's language (null: follow the browser) and switches to it. */
  setLocale: (locale: Locale | null) => Promise<void>;
}

export const AppContext = createContext<AppServices | null>(null);

/** The app's services; throws when used outside <App>. */
export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() needs <AppContext.Provider>');
  return services;
}

/** What the signed-in user may do. The API enforces the same rules; this only hides buttons. */
export interface Permissions {
  /** Technicians and admins act on alerts, incidents, clients, rules and maintenance. */
  canAct: boolean;
  /** Admins also manage users and global rules. */
  isAdmin: boolean;
}

/** Permissions of the signed-in user (nothing while signed out). */
export function usePermissions(): Permissions {
  const role = useApp().user?.role;
  return { canAct: role === 'admin' || role === 'technician', isAdmin: role === 'admin' };
}
