/**
 * A client's enrollment tokens, newest first, as the API lists them (never the secret): label,
 * lifetime, how often used; technicians and admins revoke one here. Revoking stops new
 * enrollments only: machines enrolled with it keep their own credentials.
 */
import type { EnrollmentToken } from '../../../../shared/device-admin-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, type Loaded } from '../../lib/hooks.js';
import { EmptyState, ErrorNote, Time } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

function statusOf(tok: EnrollmentToken, nowMs: number): 'revoked' | 'expired' | 'active' {
  if (tok.revokedAtMs !== null) return 'revoked';
  if (tok.expiresAtMs !== null && tok.expiresAtMs <= nowMs) return 'expired';
  return 'active';
}

export function EnrollmentTokens({ tokens }: { tokens: Loaded<EnrollmentToken[]> }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const action = useAction();
  const nowMs = Date.now();
  if (!tokens.data) return <p class="muted">{tokens.status === 'error' ? t('tokens.loadFailed', { error: tokens.error }) : t('tokens.loading')}</p>;
  if (tokens.data.length === 0) {
    return (
      <EmptyState title={t('tokens.empty')} testId="tokens-empty">
        <p>{canAct ? t('tokens.emptyAct') : t('tokens.emptyRead')}</p>
      </EmptyState>
    );
  }
  return (
    <>
      <ul class="row-list token-list panel" data-testid="token-list">
        {tokens.data.map((tok) => {
          const status = statusOf(tok, nowMs);
          return (
            <li key={tok.id} class={`is-${status}`} data-testid="token-row" data-token-id={tok.id} data-status={status}>
              <span>
                <span class="token-label">{tok.label ?? t('tokens.unlabelled')}</span>{' '}
                <span class={`tag${status === 'active' ? ' tag-ok' : ''}`}>{t('tokens.status', { status })}</span>
                <br />
                <span class="muted">
                  <Msg k="tokens.created" values={{ time: <Time ms={tok.createdAtMs} /> }} />
                  {status === 'revoked' && tok.revokedAtMs !== null ? (
                    <Msg k="tokens.revoked" values={{ time: <Time ms={tok.revokedAtMs} /> }} />
                  ) : tok.expiresAtMs !== null ? (
                    <Msg k={status === 'expired' ? 'tokens.expired' : 'tokens.expires'} values={{ time: <Time ms={tok.expiresAtMs} /> }} />
                  ) : (
                    t('tokens.never')
                  )}
                  {t('tokens.used', { count: tok.usedCount })}
                  {tok.lastUsedAtMs !== null && <Msg k="tokens.last" values={{ time: <Time ms={tok.lastUsedAtMs} /> }} />}
                </span>
              </span>
              {canAct && status === 'active' && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet"
                  disabled={action.isBusy}
                  data-testid="token-revoke"
                  onClick={() =>
                    window.confirm(t('tokens.revokeConfirm', { label: tok.label ?? t('tokens.thisToken') })) &&
                    action.run(async () => {
                      const revoked = await api.revokeEnrollmentToken(tok.id);
                      tokens.setData(tokens.data!.map((x) => (x.id === tok.id ? revoked : x)));
                    })
                  }
                >
                  {t('tokens.revoke')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      <ErrorNote message={action.error} />
    </>
  );
}
