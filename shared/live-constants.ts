/** Constants of the dashboard live protocol (shared/live.ts) without zod, for the dashboard bundle. */

/** Every `type` the server may push to a dashboard; the dashboard drops anything else. */
export const LIVE_SERVER_MESSAGE_TYPES = ['subscribed', 'samples', 'devices', 'alerts', 'incidents', 'error'] as const;

/** Close code of a dashboard socket whose session ended (logout, expiry, password change, user deleted). */
export const LIVE_CLOSE_SESSION_ENDED = 4401;
