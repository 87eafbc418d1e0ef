/**
 * A client's enrollment tokens, newest first, as the API lists them (never the secret): label,
 * lifetime, how often used; technicians and admins revoke one here. Revoking stops new
 * enrollments only: machines enrolled with it keep their own credentials.
 */
import type { EnrollmentToken } from '../../../../shared/device-admin-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, type Loaded } from '../../lib/hooks.js';
import { EmptyState, ErrorNote, Time } from '../../ui/ui.js';

function statusOf(t: EnrollmentToken, nowMs: number): 'revoked' | 'expired' | 'active' {
  if (t.revokedAtMs !== null) return 'revoked';
  if (t.expiresAtMs !== null && t.expiresAtMs <= nowMs) return 'expired';
  return 'active';
}

export function EnrollmentTokens({ tokens }: { tokens: Loaded<EnrollmentToken[]> }) {
  const { api } = useApp();
  const { canAct } = usePermissions();
  const action = useAction();
  const nowMs = Date.now();
  if (!tokens.data) return <p class="muted">{tokens.status === 'error' ? `Could not load the tokens: ${tokens.error}` : 'Loading tokens…'}</p>;
  if (tokens.data.length === 0) {
    return (
      <EmptyState title="No enrollment tokens" testId="tokens-empty">
        <p>
          {canAct
            ? 'Create one below to install the agent on this client’s machines.'
            : 'A technician creates one to install the agent on this client’s machines.'}
        </p>
      </EmptyState>
    );
  }
  return (
    <>
      <ul class="row-list token-list panel" data-testid="token-list">
        {tokens.data.map((t) => {
          const status = statusOf(t, nowMs);
          return (
            <li key={t.id} class={`is-${status}`} data-testid="token-row" data-token-id={t.id} data-status={status}>
              <span>
                <span class="token-label">{t.label ?? 'Unlabelled token'}</span> <span class={`tag${status === 'active' ? ' tag-ok' : ''}`}>{status}</span>
                <br />
                <span class="muted">
                  created <Time ms={t.createdAtMs} />
                  {status === 'revoked' && t.revokedAtMs !== null ? (
                    <>
                      , revoked <Time ms={t.revokedAtMs} />
                    </>
                  ) : t.expiresAtMs !== null ? (
                    <>
                      , {status === 'expired' ? 'expired' : 'expires'} <Time ms={t.expiresAtMs} />
                    </>
                  ) : (
                    ', never expires'
                  )}
                  {' · '}used {t.usedCount}×
                  {t.lastUsedAtMs !== null && (
                    <>
                      , last <Time ms={t.lastUsedAtMs} />
                    </>
                  )}
                </span>
              </span>
              {canAct && status === 'active' && (
                <button
                  type="button"
                  class="btn btn-small btn-quiet"
                  disabled={action.isBusy}
                  data-testid="token-revoke"
                  onClick={() =>
                    window.confirm(`Revoke “${t.label ?? 'this token'}”? New machines can no longer enroll with it; enrolled ones keep working.`) &&
                    action.run(async () => {
                      const revoked = await api.revokeEnrollmentToken(t.id);
                      tokens.setData(tokens.data!.map((x) => (x.id === t.id ? revoked : x)));
                    })
                  }
                >
                  Revoke
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
