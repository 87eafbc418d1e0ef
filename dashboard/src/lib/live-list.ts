/**
 * Lists of alerts or incidents kept current by the live socket: loaded once over REST, then every
 * pushed row is put in (when it still belongs to the list, e.g. its state matches the tab) or
 * taken out (when it no longer does). A resync notice (a burst too big to push row by row)
 * reloads the list. No polling.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Alert, Incident } from '../../../shared/alert-types.js';
import { useApp } from './app-context.js';
import { loadUnlessCancelled } from './hooks.js';

export interface LiveList<T> {
  rows: T[];
  status: 'loading' | 'ready' | 'error';
  error: string;
  reload: () => void;
  /** Puts one row in (or out) at once, e.g. from an action's answer. */
  upsert: (row: T) => void;
}

const newestFirst = (a: { openedAtMs: number; id: string }, b: { openedAtMs: number; id: string }) => b.openedAtMs - a.openedAtMs || a.id.localeCompare(b.id);

function useLiveList<T extends Alert | Incident>(
  kind: 'alerts' | 'incidents',
  load: () => Promise<T[]>,
  belongs: (row: T) => boolean,
  deps: readonly unknown[],
): LiveList<T> {
  const { live } = useApp();
  const byId = useRef(new Map<string, T>());
  const [rows, setRows] = useState<T[]>([]);
  const [status, setStatus] = useState<LiveList<T>['status']>('loading');
  const [error, setError] = useState('');
  const [generation, setGeneration] = useState(0);
  const belongsRef = useRef(belongs);
  belongsRef.current = belongs;

  const publish = () => setRows([...byId.current.values()].sort(newestFirst));
  const put = (row: T) => {
    if (belongsRef.current(row)) byId.current.set(row.id, row);
    else byId.current.delete(row.id);
  };

  // A different list (another tab, another device): forget the old rows at once.
  useEffect(() => {
    byId.current = new Map();
    setRows([]);
    setStatus('loading');
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps name the list; a new list must forget the old rows
  }, deps);

  useEffect(
    () =>
      loadUnlessCancelled(
        load,
        (list) => {
          byId.current = new Map(list.map((r) => [r.id, r]));
          publish();
          setStatus('ready');
        },
        (message) => {
          setError(message);
          setStatus('error');
        },
      ),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps stand for what `load` reads; publish reads only refs
    [...deps, generation],
  );

  useEffect(() => {
    const onRows = (changed: readonly T[], isResync: boolean) => {
      if (isResync) {
        setGeneration((n) => n + 1);
        return;
      }
      for (const row of changed) put(row);
      publish();
    };
    return kind === 'alerts'
      ? live.on('alerts', (m) => onRows(m.alerts as unknown as T[], m.isResync))
      : live.on('incidents', (m) => onRows(m.incidents as unknown as T[], m.isResync));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- put and publish are re-made each render but read only refs and setters
  }, [live, kind]);

  return {
    rows,
    status,
    error,
    reload: () => setGeneration((n) => n + 1),
    upsert: (row) => {
      put(row);
      publish();
    },
  };
}

/** Alerts matching `belongs`, loaded with `load`, live. */
export function useLiveAlerts(load: () => Promise<Alert[]>, belongs: (a: Alert) => boolean, deps: readonly unknown[]): LiveList<Alert> {
  return useLiveList('alerts', load, belongs, deps);
}

/** Incidents matching `belongs`, loaded with `load`, live. */
export function useLiveIncidents(load: () => Promise<Incident[]>, belongs: (i: Incident) => boolean, deps: readonly unknown[]): LiveList<Incident> {
  return useLiveList('incidents', load, belongs, deps);
}
