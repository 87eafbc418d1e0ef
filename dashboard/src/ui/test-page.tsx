/** "Page me now": a real test page through every contact point, with each receiver's answer. */
import { useState } from 'preact/hooks';
import type { TestPageResult } from '../../../shared/notify-types.js';
import { useApp } from '../lib/app-context.js';
import { useAction } from '../lib/hooks.js';
import { ErrorNote } from './ui.js';
import { useT } from '../lib/i18n/index.js';

export function TestPageButton() {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [result, setResult] = useState<TestPageResult | null>(null);
  return (
    <div class="test-page" data-testid="test-page">
      <button
        type="button"
        class="btn"
        disabled={action.isBusy}
        onClick={() => {
          setResult(null);
          void action.run(async () => setResult(await api.testPage()));
        }}
        data-testid="test-page-button"
      >
        {action.isBusy ? t('testPage.paging') : t('testPage.button')}
      </button>
      <span class="muted">{t('testPage.explain')}</span>
      <ErrorNote message={action.error} />
      {result && (
        <ul class="test-page-results" data-testid="test-page-results">
          {result.results.map((r) => (
            <li key={r.deliveryId} class={r.ok ? 'is-ok' : 'is-failed'}>
              <strong>{r.ok ? t('testPage.sent') : t('testPage.failed')}</strong> — {r.channelName} → {r.recipient}
              {r.ok ? (r.httpStatus !== null ? ` (HTTP ${r.httpStatus})` : r.detail ? ` (${r.detail})` : '') : `: ${r.error ?? t('testPage.unknownError')}`}
            </li>
          ))}
          {result.problems.map((p) => (
            <li key={p} class="is-failed">
              {t('testPage.notUsed', { problem: p })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
