/**
 * Dashboard live protocol: JSON text frames on the dashboard WebSocket (LIVE_WS_PATH), which the
 * server authenticates with the session cookie at the upgrade. The server pushes; the dashboard
 * only says which device it is looking at, so a fleet of 15,000 devices does not stream every
 * sample to every browser.
 */
import { z } from 'zod';
import { sampleSchema } from './protocol.js';
import type { DeviceSummary } from './api-types.js';
import type { Alert, Incident } from './alert-types.js';
import { LIVE_SERVER_MESSAGE_TYPES } from './live-constants.js';

export { LIVE_CLOSE_SESSION_ENDED, LIVE_SERVER_MESSAGE_TYPES } from './live-constants.js';

/** Dashboard → server: send me every sample of these devices (replaces the previous set). */
export const liveSubscribeSchema = z
  .object({
    type: z.literal('subscribe'),
    deviceIds: z.array(z.string().min(1).max(64)).max(50),
  })
  .strict();

/** Every message a dashboard may send. */
export const liveClientMessageSchema = z.discriminatedUnion('type', [liveSubscribeSchema]);
export type LiveClientMessage = z.infer<typeof liveClientMessageSchema>;

/** Server → dashboard: the samples of one stored report of a subscribed device. */
export interface LiveSamplesMessage {
  type: 'samples';
  deviceId: string;
  tsMs: number;
  metrics: z.infer<typeof sampleSchema>[];
}

/**
 * Server → dashboard: device summaries that changed (new report, came online, went offline),
 * coalesced: at most one message per second, holding the latest summary of each changed device.
 */
export interface LiveDevicesMessage {
  type: 'devices';
  devices: DeviceSummary[];
}

/**
 * Server → dashboard: alerts that changed (fired, acknowledged, resolved, assigned, commented),
 * each as its full current row, coalesced like `devices`. Every dashboard gets them (they are
 * few, and the alert list and nav badges need them whatever page is open). After a burst too
 * big to send row by row (`isResync`), `alerts` is empty: fetch the lists again.
 */
export interface LiveAlertsMessage {
  type: 'alerts';
  alerts: Alert[];
  isResync: boolean;
}

/** Server → dashboard: incidents that changed (opened, closed, billed, time booked…); as `alerts`. */
export interface LiveIncidentsMessage {
  type: 'incidents';
  incidents: Incident[];
  isResync: boolean;
}

/**
 * Server → dashboard: the subscription in effect from now on. Sent in answer to every valid
 * `subscribe`; samples of these devices committed after this message reach the dashboard.
 */
export interface LiveSubscribedMessage {
  type: 'subscribed';
  deviceIds: string[];
}

/** Server → dashboard: a frame from the dashboard was refused. */
export interface LiveErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

/** Every message the server may push to a dashboard. */
export type LiveServerMessage = LiveSubscribedMessage | LiveSamplesMessage | LiveDevicesMessage | LiveAlertsMessage | LiveIncidentsMessage | LiveErrorMessage;

// Compile-time check that the zod-free constants the dashboard uses list every message type.
type MissingType = Exclude<LiveServerMessage['type'], (typeof LIVE_SERVER_MESSAGE_TYPES)[number]>;
const _everyTypeListed: MissingType extends never ? true : never = true;
void _everyTypeListed;
