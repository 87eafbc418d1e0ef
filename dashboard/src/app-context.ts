/** What every view needs from the app shell, handed down through one Preact context. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.js';
import type { LiveClient } from './live.js';
import type { Theme } from './theme.js';

export interface AppServices {
  api: Api;
  live: LiveClient;
  theme: Theme;
}

export const AppContext = createContext<AppServices | null>(null);

/** The app's services; throws when used outside <App>. */
export function useApp(): AppServices {
  const services = useContext(AppContext);
  if (!services) throw new Error('useApp() needs <AppContext.Provider>');
  return services;
}
