/**
 * The one way a server module tells others what happened: it owns a listener set and offers
 * `on…(listener)` methods that return the unsubscribe function. The composition root subscribes
 * after every part is built, so no module needs a handler passed in before its peers exist.
 * A failing listener is logged and does not stop the others or the emitting module.
 */
export interface Listeners<A extends unknown[]> {
  /** Adds a listener; returns the function that removes it. */
  add(listener: (...args: A) => void): () => void;
  /** Calls every listener in the order they were added. */
  emit(...args: A): void;
  /** Whether anyone listens (lets a hot path skip building the arguments). */
  readonly size: number;
}

/** A listener set; `onError` is told about a listener that threw (with the listener's name, if any). */
export function createListeners<A extends unknown[]>(onError: (err: unknown) => void): Listeners<A> {
  const set = new Set<(...args: A) => void>();
  return {
    add(listener) {
      // A wrapper per add, so adding the same function twice means two subscriptions.
      const entry = (...args: A) => listener(...args);
      set.add(entry);
      return () => {
        set.delete(entry);
      };
    },
    emit(...args) {
      for (const l of set) {
        try {
          l(...args);
        } catch (err) {
          onError(err);
        }
      }
    },
    get size() {
      return set.size;
    },
  };
}
