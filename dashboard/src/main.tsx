/**
 * Dashboard entry. The flow:
 *   1. apply the theme before the first paint;
 *   2. build the API client (JSON + session cookie; any 401 sends the user to the login screen);
 *   3. build the live client (WebSocket at LIVE_WS_PATH; started once a session exists);
 *   4. render <App>, which asks GET /api/me, then routes by hash:
 *        #/login        → LoginView   (POST /api/login)
 *        #/             → FleetView   (GET /api/devices + live `devices` messages)
 *        #/devices/:id  → DeviceView  (GET /api/devices/:id, …/metrics + live `samples`)
 */
import { render } from 'preact';
import { createApi } from './lib/api.js';
import { App } from './app.js';
import { createLiveClient } from './lib/live.js';
import { applyInitialTheme } from './lib/theme.js';
import './styles.css';

applyInitialTheme();

const api = createApi();
const live = createLiveClient();

render(<App api={api} live={live} />, document.getElementById('app')!);
