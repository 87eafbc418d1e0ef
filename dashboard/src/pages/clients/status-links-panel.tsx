/**
 * Read-only status links of a client (optional): make one, with or without host names, copy its
 * URL (shown once), and revoke it. The page itself is served by the server at /status/<token>.
 */
import { useState } from 'preact/hooks';
import type { ClientInfo } from '../../../../shared/api-types.js';
import { describeError } from '../../lib/api.js';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { formatRelative } from '../../lib/format.js';
import { useLoad } from '../../lib/hooks.js';
import { useT } from '../../lib/i18n/index.js';
import { CopyCommand } from '../../ui/copy-command.js';
import { ErrorNote, Field, LoadState } from '../../ui/ui.js';
import { FormActions } from '../../ui/form-actions.js';

export function StatusLinksPanel({ client }: { client: ClientInfo }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const links = useLoad(() => api.listStatusLinks(client.id), [api, client.id]);
  const [showHostnames, setShowHostnames] = useState(true);
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState('');
  const [error, setError] = useState('');
  const nowMs = Date.now();
  const create = async (e: Event) => {
    e.preventDefault();
    setError('');
    try {
      const link = await api.createStatusLink(client.id, { showHostnames, ...(label.trim() ? { label: label.trim() } : {}) });
      setCreated(link.url);
      setLabel('');
      links.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const revoke = async (id: string) => {
    try {
      await api.revokeStatusLink(id);
      links.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <div data-testid="status-links-panel">
      <p class="muted section-lead">{t('statusLink.lead', { client: client.name })}</p>
      {canAct && (
        <form class="panel" onSubmit={create}>
          <div class="form-grid">
            <Field label={t('statusLink.label')}>
              <input value={label} maxLength={100} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} data-testid="status-link-label" />
            </Field>
            <label class="check wrap field-wide">
              <input type="checkbox" checked={showHostnames} onChange={(e) => setShowHostnames(e.currentTarget.checked)} data-testid="status-link-hostnames" />
              <span>{t('statusLink.showHostnames')}</span>
            </label>
          </div>
          <FormActions submitLabel={t('statusLink.create')} isDisabled={false} testId="status-link-create" />
          {created && (
            <div class="notice" role="status" data-testid="status-link-url">
              <p>{t('statusLink.created')}</p>
              <CopyCommand command={created} />
            </div>
          )}
          {error && <ErrorNote message={error} />}
        </form>
      )}
      {!links.data ? (
        <LoadState status={links.status} error={links.error} onRetry={links.reload} what={t('statusLink.title')} />
      ) : links.data.length === 0 ? (
        <p class="muted">{t('statusLink.none')}</p>
      ) : (
        <ul class="row-list" data-testid="status-links">
          {links.data.map((l) => (
            <li key={l.id} data-testid="status-link-row" data-revoked={String(l.revokedAtMs !== null)}>
              <span>
                <strong>{l.label ?? t('statusLink.title')}</strong>{' '}
                <span class="muted">
                  · {t('statusLink.names', { shown: String(l.showHostnames) })} ·{' '}
                  {t('statusLink.made', { time: formatRelative(l.createdAtMs, nowMs), who: l.createdBy ?? '–' })}
                  {l.revokedAtMs !== null && ` · ${t('statusLink.revoked', { time: formatRelative(l.revokedAtMs, nowMs) })}`}
                </span>
              </span>
              {canAct && l.revokedAtMs === null && (
                <button type="button" class="btn btn-quiet btn-small" onClick={() => revoke(l.id)} data-testid="status-link-revoke">
                  {t('statusLink.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
