/**
 * Single sign-on settings (admins, on the Users page): the OpenID provider, which of its groups
 * give which role, and who may still sign in with a password. The client secret is write-only:
 * the form shows whether one is stored and sends one only when typed.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SsoSettingsView } from '../../../../shared/api-types.js';
import { useApp } from '../../lib/app-context.js';
import type { SsoSettingsInput } from '../../lib/api-sso.js';
import { formatDate } from '../../lib/format.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { CopyCommand } from '../../ui/copy-command.js';
import { FormActions } from '../../ui/form-actions.js';
import { ErrorNote, Field, LoadState } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';

/** "a, b  c" → ["a", "b", "c"]. */
const words = (text: string, separator: RegExp) =>
  text
    .split(separator)
    .map((w) => w.trim())
    .filter(Boolean);

interface Draft {
  isEnabled: boolean;
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  roleClaim: string;
  admin: string;
  technician: string;
  viewer: string;
  defaultRole: '' | 'technician' | 'viewer';
  usernameClaim: SsoSettingsView['usernameClaim'];
  passwordSignIn: 'everyone' | 'break-glass';
  breakGlass: string;
}

function draftOf(v: SsoSettingsView): Draft {
  return {
    isEnabled: v.isEnabled,
    displayName: v.displayName,
    issuer: v.issuer,
    clientId: v.clientId,
    clientSecret: '',
    scopes: v.scopes.join(' '),
    roleClaim: v.roleClaim,
    admin: v.roleMap.admin.join(', '),
    technician: v.roleMap.technician.join(', '),
    viewer: v.roleMap.viewer.join(', '),
    defaultRole: v.defaultRole ?? '',
    usernameClaim: v.usernameClaim,
    passwordSignIn: v.passwordSignIn,
    breakGlass: v.breakGlassUsernames.join(', '),
  };
}

function inputOf(d: Draft): SsoSettingsInput {
  return {
    isEnabled: d.isEnabled,
    displayName: d.displayName.trim(),
    issuer: d.issuer.trim(),
    clientId: d.clientId.trim(),
    ...(d.clientSecret ? { clientSecret: d.clientSecret } : {}),
    scopes: words(d.scopes, /[\s,]+/),
    roleClaim: d.roleClaim.trim(),
    roleMap: { admin: words(d.admin, /,/), technician: words(d.technician, /,/), viewer: words(d.viewer, /,/) },
    defaultRole: d.defaultRole || null,
    usernameClaim: d.usernameClaim,
    passwordSignIn: d.passwordSignIn,
    breakGlassUsernames: words(d.breakGlass, /[\s,]+/),
  };
}

export function SsoPanel() {
  const { api } = useApp();
  const t = useT();
  const loaded = useLoad(() => api.getSso(), [api]);
  const action = useAction();
  const [draft, setDraft] = useState<Draft | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  useEffect(() => {
    if (loaded.data) setDraft(draftOf(loaded.data));
  }, [loaded.data]);
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => (d ? { ...d, [key]: value } : d));

  return (
    <details class="panel disclosure" data-testid="sso-panel">
      <summary>{t('sso.title')}</summary>
      {!loaded.data || !draft ? (
        <LoadState status={loaded.status} error={loaded.error} onRetry={loaded.reload} what={t('load.sso')} />
      ) : (
        <form
          class="form-grid wide-cells"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const saved = await api.putSso(inputOf(draft));
              loaded.setData(saved);
              setSavedAt(Date.now());
            });
          }}
          data-testid="sso-form"
        >
          <p class="muted field-wide">{t('sso.intro')}</p>
          <div class="field-wide">
            <CopyCommand command={loaded.data.redirectUri} testId="sso-redirect-uri" />
          </div>
          <label class="check field-wide">
            <input type="checkbox" checked={draft.isEnabled} onChange={(e) => set('isEnabled', e.currentTarget.checked)} data-testid="sso-enabled" />
            <span>{t('sso.on')}</span>
          </label>
          <Field label={t('sso.buttonName')} hint={t('sso.buttonHint')}>
            <input required maxLength={60} value={draft.displayName} onInput={(e) => set('displayName', e.currentTarget.value)} data-testid="sso-name" />
          </Field>
          <Field label={t('sso.issuer')} hint={t('sso.issuerHint')} wide>
            <input
              required
              type="url"
              placeholder="https://login.microsoftonline.com/<tenant>/v2.0"
              value={draft.issuer}
              onInput={(e) => set('issuer', e.currentTarget.value)}
              data-testid="sso-issuer"
            />
          </Field>
          <Field label={t('sso.clientId')}>
            <input required autoComplete="off" value={draft.clientId} onInput={(e) => set('clientId', e.currentTarget.value)} data-testid="sso-client-id" />
          </Field>
          <Field label={t('sso.secret')} hint={loaded.data.hasClientSecret ? t('sso.secretStored') : t('sso.secretNone')}>
            <input
              type="password"
              autoComplete="new-password"
              value={draft.clientSecret}
              onInput={(e) => set('clientSecret', e.currentTarget.value)}
              data-testid="sso-client-secret"
            />
          </Field>
          <Field label={t('sso.scopes')} hint={t('sso.scopesHint')}>
            <input value={draft.scopes} onInput={(e) => set('scopes', e.currentTarget.value)} data-testid="sso-scopes" />
          </Field>
          <Field label={t('sso.roleClaim')} hint={t('sso.roleClaimHint')}>
            <input required value={draft.roleClaim} onInput={(e) => set('roleClaim', e.currentTarget.value)} data-testid="sso-role-claim" />
          </Field>
          <Field label={t('sso.adminGroups')} hint={t('sso.adminGroupsHint')}>
            <input value={draft.admin} onInput={(e) => set('admin', e.currentTarget.value)} data-testid="sso-admin-groups" />
          </Field>
          <Field label={t('sso.techGroups')}>
            <input value={draft.technician} onInput={(e) => set('technician', e.currentTarget.value)} data-testid="sso-technician-groups" />
          </Field>
          <Field label={t('sso.viewerGroups')}>
            <input value={draft.viewer} onInput={(e) => set('viewer', e.currentTarget.value)} data-testid="sso-viewer-groups" />
          </Field>
          <Field label={t('sso.anyone')} hint={t('sso.anyoneHint')}>
            <select class="select" value={draft.defaultRole} onChange={(e) => set('defaultRole', e.currentTarget.value as Draft['defaultRole'])}>
              <option value="">{t('sso.refused')}</option>
              <option value="viewer">{t('sso.becomesViewer')}</option>
              <option value="technician">{t('sso.becomesTech')}</option>
            </select>
          </Field>
          <Field label={t('sso.usernameFrom')} hint={t('sso.usernameHint')}>
            <select class="select" value={draft.usernameClaim} onChange={(e) => set('usernameClaim', e.currentTarget.value as Draft['usernameClaim'])}>
              <option value="preferred_username">preferred_username</option>
              <option value="email">email</option>
              <option value="upn">upn (Entra ID)</option>
              <option value="sub">sub</option>
            </select>
          </Field>
          <Field label={t('sso.passwordSignIn')}>
            <select
              class="select"
              value={draft.passwordSignIn}
              onChange={(e) => set('passwordSignIn', e.currentTarget.value as Draft['passwordSignIn'])}
              data-testid="sso-password-sign-in"
            >
              <option value="everyone">{t('sso.everyone')}</option>
              <option value="break-glass">{t('sso.breakGlassOnly')}</option>
            </select>
          </Field>
          {draft.passwordSignIn === 'break-glass' && (
            <Field label={t('sso.breakGlass')} hint={t('sso.breakGlassHint')}>
              <input value={draft.breakGlass} onInput={(e) => set('breakGlass', e.currentTarget.value)} data-testid="sso-break-glass" />
            </Field>
          )}
          <div class="field-wide">
            <FormActions submitLabel={action.isBusy ? t('sso.saving') : t('sso.save')} isDisabled={action.isBusy} testId="sso-save" />
            {savedAt !== null && !action.error && (
              <p class="muted" role="status" data-testid="sso-saved">
                {t('sso.saved', { on: loaded.data.isEnabled ? 'yes' : 'no', name: loaded.data.displayName })}
              </p>
            )}
            {loaded.data.updatedAtMs !== null && (
              <p class="muted">{t('sso.lastChanged', { date: formatDate(loaded.data.updatedAtMs), who: loaded.data.updatedBy ?? t('sso.theServer') })}</p>
            )}
            <ErrorNote message={action.error} testId="sso-error" />
          </div>
        </form>
      )}
    </details>
  );
}
