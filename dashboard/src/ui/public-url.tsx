/**
 * The public URL every link in notifications and install commands uses
 * (GET /api/settings/public-url): a banner on every page while channels exist and the URL is a
 * loopback address (links in alert mails would then open nowhere but on the server), and the
 * panel on the Channels page where an admin changes it.
 */
import { useState } from 'preact/hooks';
import { useApp, usePermissions } from '../lib/app-context.js';
import { useAction, useLoad } from '../lib/hooks.js';
import { ErrorNote } from './ui.js';
import { useT } from '../lib/i18n/index.js';
import { Msg } from '../lib/i18n/msg.js';

/** Above every page while links in messages would point at this machine only. */
export function PublicUrlBanner() {
  const { api } = useApp();
  const t = useT();
  const info = useLoad(() => api.getPublicUrl(), [api]);
  if (!info.data || !info.data.isLoopback || !info.data.hasChannels) return null;
  return (
    <div class="gap-banner" role="status" data-testid="public-url-banner">
      <Msg k="publicUrl.banner" values={{ url: info.data.publicUrl, b: (text) => <strong>{text}</strong> }} />{' '}
      {info.data.source === 'flag' ? t('publicUrl.changeFlag') : <a href="#/channels">{t('publicUrl.set')}</a>}
    </div>
  );
}

/** The Channels page's panel: the URL in force, where it comes from, and (admins) a change. */
export function PublicUrlPanel() {
  const { api } = useApp();
  const t = useT();
  const { isAdmin } = usePermissions();
  const info = useLoad(() => api.getPublicUrl(), [api]);
  const action = useAction();
  const [draft, setDraft] = useState<string | null>(null);
  const [warnings, setWarnings] = useState<string[]>([]);
  if (!info.data) return null;
  const d = info.data;
  return (
    <div class="panel" data-testid="public-url-panel">
      <p>
        <strong>{t('publicUrl.label')}</strong> <code data-testid="public-url">{d.publicUrl}</code>{' '}
        <span class="muted">{t('publicUrl.source', { source: d.source === 'flag' || d.source === 'setup' ? d.source : 'none' })}</span>
      </p>
      <p class="muted">{t('publicUrl.explain')}</p>
      {isAdmin && d.source !== 'flag' && (
        <form
          class="button-row"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const next = await api.setPublicUrl(draft ?? d.publicUrl);
              info.setData(next);
              setWarnings(next.warnings ?? []);
              setDraft(null);
            });
          }}
        >
          <input
            class="input public-url-input"
            type="url"
            aria-label={t('publicUrl.input')}
            value={draft ?? d.publicUrl}
            onInput={(e) => setDraft(e.currentTarget.value)}
            data-testid="public-url-input"
          />
          <button type="submit" class="btn" disabled={action.isBusy || draft === null} data-testid="public-url-save">
            {t('publicUrl.save')}
          </button>
        </form>
      )}
      {warnings.map((w) => (
        <p key={w} class="notice" role="status" data-testid="public-url-warning">
          {w}
        </p>
      ))}
      <ErrorNote message={action.error} testId="public-url-error" />
    </div>
  );
}
