/**
 * Dashboard entry. The flow:
 *   1. apply the theme before the first paint;
 *   2. build the API client (JSON + session cookie; any 401 sends the user to the login screen);
 *   3. build the live client (WebSocket at LIVE_WS_PATH; started once a session exists);
 *   4. render <App>, which asks GET /api/me, shows the login page while nobody is signed in, and
 *      otherwise picks the page from the hash route. The routes are the `patterns` table in
 *      lib/router.ts; app.tsx maps each route to its page in pages/<page>/.
 *
 * styles.css (tokens, shell, controls, and ui/ui.css) is imported first so that each page's own
 * stylesheet, imported by the page, comes after the shared rules it refines.
 */
import './styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { createApi } from './lib/api.js';
import { createLiveClient } from './lib/live.js';
import { applyInitialTheme } from './lib/theme.js';

applyInitialTheme();

const api = createApi();
const live = createLiveClient();

render(<App api={api} live={live} />, document.getElementById('app')!);
