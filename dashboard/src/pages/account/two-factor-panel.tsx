/**
 * Two-factor login for the signed-in person: set it up (QR code + the seed for typing in by hand
 * → confirm with a code → the recovery codes, shown once), make new recovery codes, turn it off.
 * Also the whole page for a user whose role requires it and who has not set it up yet: until
 * then the server refuses everything else.
 */
import { useState } from 'preact/hooks';
import type { TwoFactorEnrolment } from '../../../../shared/api-types.js';
import { useApp } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { ErrorNote, Field, PageHead } from '../../ui/ui.js';
import './account.css';

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div class="recovery-codes" data-testid="recovery-codes">
      <p>
        <strong>Save these recovery codes now</strong> (print them or keep them in your password manager). Each signs you in once when you do not have your
        phone. They are not shown again.
      </p>
      <ol class="code-list">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div class="button-row">
        <button type="button" class="btn" onClick={() => void navigator.clipboard?.writeText(codes.join('\n'))}>
          Copy
        </button>
        <button type="button" class="btn btn-primary" onClick={onDone} data-testid="recovery-codes-saved">
          I have saved them
        </button>
      </div>
    </div>
  );
}

/** The panel on the account page (and, alone, the forced enrolment page). */
export function TwoFactorPanel({ onEnrolled }: { onEnrolled?: () => void }) {
  const { api, user } = useApp();
  const status = useLoad(() => api.getTwoFactor(), [api]);
  const action = useAction();
  const [enrolment, setEnrolment] = useState<TwoFactorEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [isShowingSecret, setIsShowingSecret] = useState(false);
  const s = status.data;

  const finish = () => {
    setCodes(null);
    status.reload();
    onEnrolled?.();
  };

  let body;
  if (codes) {
    body = <RecoveryCodes codes={codes} onDone={finish} />;
  } else if (!s) {
    body = <p class="muted">{status.status === 'error' ? status.error : 'Loading…'}</p>;
  } else if (!s.isEnrolled && !enrolment) {
    body = (
      <>
        <p class="muted">
          {s.isRequired ? 'Your role must sign in with a second factor.' : 'Recommended for everyone who can reach client machines.'} You need an authenticator
          app (Microsoft or Google Authenticator, 1Password, Bitwarden, FreeOTP, …).
        </p>
        <div class="button-row">
          <button
            type="button"
            class="btn btn-primary"
            disabled={action.isBusy}
            onClick={() => void action.run(async () => setEnrolment(await api.startTwoFactor()))}
            data-testid="two-factor-start"
          >
            Set up two-factor login
          </button>
        </div>
      </>
    );
  } else if (!s.isEnrolled && enrolment) {
    body = (
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            const r = await api.confirmTwoFactor(code.replace(/\s/g, ''));
            setCode('');
            setEnrolment(null);
            setCodes(r.recoveryCodes);
          });
        }}
        data-testid="two-factor-enrol"
      >
        <p class="field-wide">1. Scan this code with your authenticator app.</p>
        {/* SVG made by the server from the otpauth URI (npm qrcode); no script, no external reference. */}
        <div
          class="qr field-wide"
          role="img"
          aria-label="QR code for your authenticator app"
          dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
          data-testid="two-factor-qr"
        />
        <p class="field-wide muted">
          Cannot scan?{' '}
          {isShowingSecret ? (
            <>
              Type this key:{' '}
              <code class="secret-key" data-testid="two-factor-secret">
                {enrolment.secret.match(/.{1,4}/g)!.join(' ')}
              </code>
            </>
          ) : (
            <button type="button" class="btn btn-quiet btn-small" onClick={() => setIsShowingSecret(true)} data-testid="two-factor-show-secret">
              Show the key to type in
            </button>
          )}
        </p>
        <Field label="2. Type the 6-digit code it shows" wide>
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            required
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            data-testid="two-factor-code"
          />
        </Field>
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={action.isBusy || code.replace(/\s/g, '').length !== 6} data-testid="two-factor-confirm">
            Turn on
          </button>
          <button type="button" class="btn" onClick={() => setEnrolment(null)}>
            Cancel
          </button>
        </div>
      </form>
    );
  } else {
    body = (
      <form class="form-grid" onSubmit={(e) => e.preventDefault()} data-testid="two-factor-on">
        <p class="field-wide">
          <strong>On</strong> — {s.recoveryCodesLeft} of 10 recovery codes left.{s.isRequired ? ' Your role requires it.' : ''}
        </p>
        <Field label="Code from your app (to change anything here)" wide>
          <input
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            data-testid="two-factor-current-code"
          />
        </Field>
        <div class="button-row">
          <button
            type="button"
            class="btn"
            disabled={action.isBusy || code.length < 6}
            onClick={() =>
              void action.run(async () => {
                const r = await api.newRecoveryCodes(code.replace(/\s/g, ''));
                setCode('');
                setCodes(r.recoveryCodes);
              })
            }
          >
            New recovery codes
          </button>
          {!s.isRequired && (
            <button
              type="button"
              class="btn btn-danger"
              disabled={action.isBusy || code.length < 6}
              onClick={() =>
                void action.run(async () => {
                  await api.disableTwoFactor(code.replace(/\s/g, ''));
                  setCode('');
                  status.reload();
                })
              }
            >
              Turn off
            </button>
          )}
        </div>
      </form>
    );
  }

  return (
    <section class="panel narrow-panel" aria-labelledby="two-factor-title" data-testid="two-factor-panel">
      <h2 id="two-factor-title">Two-factor login{user ? ` for ${user.username}` : ''}</h2>
      {body}
      <ErrorNote message={action.error} />
    </section>
  );
}

/** The only page for a user who must set up two-factor login first. */
export function TwoFactorRequiredView({ onEnrolled }: { onEnrolled: () => void }) {
  return (
    <section aria-labelledby="account-title" data-testid="two-factor-required">
      <PageHead
        title="Set up two-factor login"
        titleId="account-title"
        subtitle="Your role must sign in with a code from an authenticator app. The dashboard opens once it is set up."
      />
      <TwoFactorPanel onEnrolled={onEnrolled} />
    </section>
  );
}
