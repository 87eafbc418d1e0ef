/**
 * The dashboard's live socket (LIVE_WS_PATH on the page's own host, authenticated by the session
 * cookie at the upgrade). It reconnects with exponential backoff and full jitter (shared/backoff.ts), re-sends the current
 * subscription after every reconnect, and hands each server message to the listeners of its type.
 */
import type { LiveClientMessage, LiveServerMessage } from '../../../shared/live.js';
// shared/paths.ts and shared/live-constants.ts have no zod import, so this keeps zod out of the bundle.
import { LIVE_CLOSE_SESSION_ENDED, LIVE_SERVER_MESSAGE_TYPES } from '../../../shared/live-constants.js';
import { LIVE_WS_PATH } from '../../../shared/paths.js';
import { fullJitterDelayMs } from '../../../shared/backoff.js';

/** Connection state, for the status pill in the top bar. */
export type LiveState = 'idle' | 'connecting' | 'open' | 'reconnecting';

type MessageOf<T extends LiveServerMessage['type']> = Extract<LiveServerMessage, { type: T }>;
type Listener<T extends LiveServerMessage['type']> = (message: MessageOf<T>) => void;

/** A live connection that survives server restarts and network drops. */
export interface LiveClient {
  start(): void;
  stop(): void;
  /** Replaces the set of devices whose samples the server streams to this dashboard. */
  subscribe(deviceIds: readonly string[]): void;
  on<T extends LiveServerMessage['type']>(type: T, listener: Listener<T>): () => void;
  onState(listener: (state: LiveState) => void): () => void;
  /** The server closed the socket because the session ended (logout elsewhere, expiry, password change). */
  onSessionEnded(listener: () => void): () => void;
  readonly state: LiveState;
}

export interface LiveOptions {
  url?: string;
  minDelayMs?: number;
  maxDelayMs?: number;
}

/** ws:// or wss:// URL of the live endpoint on the page's own host. */
export function liveUrlForPage(loc: Location = window.location): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}${LIVE_WS_PATH}`;
}

const knownTypes: ReadonlySet<unknown> = new Set(LIVE_SERVER_MESSAGE_TYPES);

function isServerMessage(value: unknown): value is LiveServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  return knownTypes.has((value as { type?: unknown }).type);
}

/** Builds a live client; nothing connects until start(). */
export function createLiveClient(options: LiveOptions = {}): LiveClient {
  const minDelayMs = options.minDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const listeners = new Map<string, Set<(m: LiveServerMessage) => void>>();
  const stateListeners = new Set<(s: LiveState) => void>();
  const sessionEndedListeners = new Set<() => void>();
  let socket: WebSocket | null = null;
  let state: LiveState = 'idle';
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let subscribed: string[] = [];

  function setState(next: LiveState): void {
    if (next === state) return;
    state = next;
    for (const l of stateListeners) l(next);
  }

  function send(message: LiveClientMessage): void {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }

  function dispatch(raw: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return;
    }
    if (!isServerMessage(parsed)) return;
    if (parsed.type === 'error') console.warn(`live: ${parsed.code}: ${parsed.message}`);
    for (const l of listeners.get(parsed.type) ?? []) l(parsed);
  }

  function scheduleReconnect(): void {
    setState('reconnecting');
    // The same full jitter as the agent and the notify worker, never sooner than a quarter second.
    const delayMs = Math.max(250, fullJitterDelayMs(attempt, minDelayMs, maxDelayMs, Math.random));
    attempt += 1;
    retryTimer = setTimeout(connect, delayMs);
  }

  function connect(): void {
    retryTimer = undefined;
    if (state === 'idle') setState('connecting');
    const ws = new WebSocket(options.url ?? liveUrlForPage());
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState('open');
      send({ type: 'subscribe', deviceIds: subscribed });
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data === 'string') dispatch(ev.data);
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = null;
      if (ev.code === LIVE_CLOSE_SESSION_ENDED) {
        setState('idle');
        for (const l of sessionEndedListeners) l();
        return;
      }
      scheduleReconnect();
    };
  }

  return {
    get state() {
      return state;
    },
    start() {
      if (socket || retryTimer) return;
      connect();
    },
    stop() {
      clearTimeout(retryTimer);
      retryTimer = undefined;
      const ws = socket;
      socket = null;
      ws?.close(1000);
      attempt = 0;
      setState('idle');
    },
    subscribe(deviceIds) {
      subscribed = [...new Set(deviceIds)].slice(0, 50);
      send({ type: 'subscribe', deviceIds: subscribed });
    },
    on(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      const l = listener as (m: LiveServerMessage) => void;
      set.add(l);
      return () => set.delete(l);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    onSessionEnded(listener) {
      sessionEndedListeners.add(listener);
      return () => sessionEndedListeners.delete(listener);
    },
  };
}
