/**
 * Dashboard live protocol: JSON text frames on the dashboard WebSocket (LIVE_WS_PATH), which the
 * server authenticates with the session cookie at the upgrade. The server pushes; the dashboard
 * only says which device it is looking at, so a fleet of 15,000 devices does not stream every
 * sample to every browser.
 */
import { z } from 'zod';
import { sampleSchema } from './protocol.js';
import type { DeviceSummary } from './api-types.js';

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

/** Server → dashboard: a frame from the dashboard was refused. */
export interface LiveErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

/** Every message the server may push to a dashboard. */
export type LiveServerMessage = LiveSamplesMessage | LiveDevicesMessage | LiveErrorMessage;
