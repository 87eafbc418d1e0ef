/**
 * Device credential rotation over the agent socket (PROTOCOL.md §2). The server generates a fresh
 * credential, keeps only its hash as pending, and sends it over the authenticated socket; the old
 * credential keeps working until the agent confirms it persisted the new one (credentialAck), so
 * a rotation never locks an agent out. Nothing in plaintext is ever stored: an offline device gets
 * a new one generated at its next connection instead.
 */
import type { Logger } from 'pino';
import { PROTOCOL_VERSION } from '../../shared/protocol.js';
import type { DeviceStore } from '../store/devices.js';
import { generateToken } from '../lib/secrets.js';
import { sendFrame, type Connection } from './connection.js';

/** Outcome of a credential rotation request. */
export type RotationOutcome = 'rotated' | 'pending';

/** Options of the rotation part of the gateway. */
export interface CredentialRotationOptions {
  devices: Pick<DeviceStore, 'setPendingToken' | 'promotePendingToken' | 'requestRotation'>;
  logger: Logger;
  now: () => number;
}

/** Creates the rotation state of one gateway. */
export function createCredentialRotation(opts: CredentialRotationOptions) {
  const { devices, logger, now } = opts;
  /** REST requests waiting for a device's credentialAck. */
  const waiters = new Map<string, Set<() => void>>();

  function wake(deviceId: string): void {
    for (const w of waiters.get(deviceId) ?? []) w();
    waiters.delete(deviceId);
  }

  function deliver(conn: Connection): void {
    if (conn.isCredentialInFlight) return;
    const deviceToken = generateToken('qpd');
    devices.setPendingToken(conn.device.id, deviceToken);
    conn.isCredentialInFlight = true;
    sendFrame(conn.ws, { type: 'credential', v: PROTOCOL_VERSION, deviceToken });
    logger.info({ deviceId: conn.device.id }, 'sent a rotated device credential; waiting for the agent to persist it');
  }

  return {
    deliver,
    /** The agent confirmed the credential; false when no rotation was pending. */
    acknowledge(conn: Connection): boolean {
      conn.isCredentialInFlight = false;
      if (!devices.promotePendingToken(conn.device.id, now())) return false;
      logger.info({ deviceId: conn.device.id }, 'device credential rotated; the old credential no longer works');
      wake(conn.device.id);
      return true;
    },
    /** An upgrade authenticated with the pending credential (its ack was lost): the rotation is complete. */
    completedByUpgrade(deviceId: string, rotationRequestedAtMs: number | null): void {
      if (rotationRequestedAtMs === null && waiters.has(deviceId)) wake(deviceId);
    },
    /**
     * Connected (`conn` given): the new credential goes over the socket and this resolves
     * 'rotated' once the agent confirmed it persisted it (within waitMs), else 'pending'. Not
     * connected: 'pending', and the credential is delivered at the next connection.
     */
    rotate(deviceId: string, conn: Connection | undefined, waitMs: number): Promise<RotationOutcome> {
      devices.requestRotation(deviceId, now());
      if (!conn) return Promise.resolve('pending');
      return new Promise((resolve) => {
        const set = waiters.get(deviceId) ?? new Set();
        waiters.set(deviceId, set);
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          resolve('rotated');
        };
        const timer = setTimeout(() => {
          set.delete(done);
          resolve('pending');
        }, waitMs);
        set.add(done);
        // A credential already in flight (sent at hello) is the one whose ack we wait for.
        deliver(conn);
      });
    },
  };
}
