/**
 * Views loaded on first use, so the fleet page does not wait for chart.js: the device page and the
 * client page (advisor chart) are separate chunks, fetched when first opened.
 */
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { activeT } from './i18n/index.js';

/** A component that renders `load`'s component once its chunk has arrived. */
export function lazyView<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  return function LazyView(props: P) {
    const [View, setView] = useState<ComponentType<P> | undefined>(() => loaded);
    const [error, setError] = useState('');
    useEffect(() => {
      if (View) return;
      pending ??= load().then((c) => (loaded = c));
      pending.then(
        (c) => setView(() => c),
        (err: unknown) => {
          pending = undefined;
          setError(err instanceof Error ? err.message : String(err));
        },
      );
    }, [View]);
    if (error) {
      return (
        <div class="splash" role="alert">
          <p>{activeT()('lazy.failed', { error })}</p>
          <button type="button" class="btn" onClick={() => location.reload()}>
            {activeT()('lazy.reload')}
          </button>
        </div>
      );
    }
    return View ? (
      <View {...props} />
    ) : (
      <div class="splash" aria-busy="true">
        {activeT()('app.loading')}
      </div>
    );
  };
}
