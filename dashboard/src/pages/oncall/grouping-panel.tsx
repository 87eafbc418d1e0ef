/**
 * One page per outage (docs/GROUPING.md): how long after an outage's last alert another of the
 * same client and rule joins it instead of paging on its own. Admins change it; everyone sees it.
 */
import { useState } from 'preact/hooks';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { ErrorNote } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';

export function GroupingPanel() {
  const { api } = useApp();
  const t = useT();
  const { isAdmin } = usePermissions();
  const grouping = useLoad(() => api.getGrouping(), [api]);
  const action = useAction();
  const [draft, setDraft] = useState<string | null>(null);
  if (!grouping.data) return null;
  const seconds = grouping.data.windowSeconds;
  const value = draft ?? String(seconds);
  return (
    <div class="panel" data-testid="grouping-panel">
      <p>
        <strong>{t('grouping.title')}</strong> {seconds === 0 ? t('grouping.off') : t('grouping.on', { seconds })} {t('grouping.parent')}
      </p>
      {isAdmin && (
        <form
          class="button-row"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              grouping.setData(await api.setGrouping(Number(value)));
              setDraft(null);
            });
          }}
        >
          <label class="button-row">
            <span>{t('grouping.window')}</span>
            <input
              class="input"
              type="number"
              min={0}
              max={600}
              step={1}
              value={value}
              onInput={(e) => setDraft(e.currentTarget.value)}
              data-testid="grouping-window"
            />
          </label>
          <button type="submit" class="btn" disabled={action.isBusy || draft === null} data-testid="grouping-save">
            {t('grouping.save')}
          </button>
        </form>
      )}
      <ErrorNote message={action.error} testId="grouping-error" />
    </div>
  );
}
