/** URL paths shared by server, agent and dashboard (no zod here, so the dashboard bundle stays small). */

/** Path of the agent WebSocket endpoint on the server. */
export const AGENT_WS_PATH = '/agent/ws';
/** Path of the dashboard live WebSocket endpoint on the server. */
export const LIVE_WS_PATH = '/live/ws';
/** Path of the HTTP enrollment endpoint (no session needed; the enrollment token is the secret). */
export const ENROLL_PATH = '/api/enroll';
