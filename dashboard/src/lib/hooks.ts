/** Small shared hooks: time, media queries, loading data, running actions. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api.js';

/** The current time, refreshed every `everyMs` (for "5 min ago" labels). */
export function useNow(everyMs: number): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return nowMs;
}

/** True while the media query matches. */
export function useMediaQuery(query: string): boolean {
  const [isMatch, setIsMatch] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const mq = window.matchMedia(query);
    const onChange = () => setIsMatch(mq.matches);
    onChange();
    mq.addEventListener('change', onChange);
    return () => mq.removeEventListener('change', onChange);
  }, [query]);
  return isMatch;
}

/** State of data loaded by useLoad. */
export interface Loaded<T> {
  status: 'loading' | 'ready' | 'error';
  data: T | undefined;
  error: string;
  /** Loads again (keeps showing the old data meanwhile). */
  reload: () => void;
  /** Replaces the data locally (after an action answered with the new state). */
  setData: (data: T) => void;
}

/** Loads data when `deps` change; stale answers (a newer load started) are dropped. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ status: Loaded<T>['status']; data: T | undefined; error: string }>({ status: 'loading', data: undefined, error: '' });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, status: s.data === undefined ? 'loading' : s.status }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ status: 'ready', data, error: '' }),
      (err: unknown) => !ac.signal.aborted && setState((s) => ({ status: 'error', data: s.data, error: describeError(err) })),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the caller's deps stand for what `load` reads; `load` itself is new on every render
  }, [...deps, generation]);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const setData = useCallback((data: T) => setState({ status: 'ready', data, error: '' }), []);
  return { ...state, reload, setData };
}

/**
 * Starts `load` and hands its answer to `onDone`, or the error's text to `onError`, unless the
 * returned cancel function was called first (an effect's cleanup: a newer load replaced it).
 */
export function loadUnlessCancelled<T>(load: () => Promise<T>, onDone: (value: T) => void, onError: (message: string) => void): () => void {
  let isCurrent = true;
  load().then(
    (value) => {
      if (isCurrent) onDone(value);
    },
    (err: unknown) => {
      if (isCurrent) onError(describeError(err));
    },
  );
  return () => {
    isCurrent = false;
  };
}

/** A button action: busy while running, its error kept for display. */
export interface Action {
  isBusy: boolean;
  error: string;
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  clearError: () => void;
}

/** Runs one async action at a time; resolves true when it succeeded. */
export function useAction(): Action {
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState('');
  const isMounted = useRef(true);
  useEffect(
    () => () => {
      isMounted.current = false;
    },
    [],
  );
  const run = useCallback(async (fn: () => Promise<unknown>) => {
    setIsBusy(true);
    setError('');
    try {
      await fn();
      return true;
    } catch (err) {
      if (isMounted.current) setError(describeError(err));
      return false;
    } finally {
      if (isMounted.current) setIsBusy(false);
    }
  }, []);
  return { isBusy, error, run, clearError: () => setError('') };
}
