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
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';
import { FormActions } from '../../ui/form-actions.js';

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const t = useT();
  return (
    <div class="recovery-codes" data-testid="recovery-codes">
      <p>
        <Msg k="twoFactor.saveCodes" values={{ b: (text) => <strong>{text}</strong> }} />
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
          {t('twoFactor.copy')}
        </button>
        <button type="button" class="btn btn-primary" onClick={onDone} data-testid="recovery-codes-saved">
          {t('twoFactor.saved')}
        </button>
      </div>
    </div>
  );
}

/** The panel on the account page (and, alone, the forced enrolment page). */
export function TwoFactorPanel({ onEnrolled }: { onEnrolled?: () => void }) {
  const { api, user } = useApp();
  const t = useT();
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
    body = <p class="muted">{status.status === 'error' ? status.error : t('app.loading')}</p>;
  } else if (!s.isEnrolled && !enrolment) {
    body = (
      <>
        <p class="muted">
          {s.isRequired ? t('twoFactor.required') : t('twoFactor.recommended')} {t('twoFactor.needApp')}
        </p>
        <div class="button-row">
          <button
            type="button"
            class="btn btn-primary"
            disabled={action.isBusy}
            onClick={() => void action.run(async () => setEnrolment(await api.startTwoFactor()))}
            data-testid="two-factor-start"
          >
            {t('twoFactor.setUp')}
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
        <p class="field-wide">{t('twoFactor.scan')}</p>
        {/* SVG made by the server from the otpauth URI (npm qrcode); no script, no external reference. */}
        <div
          class="qr field-wide"
          role="img"
          aria-label={t('twoFactor.qrLabel')}
          dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
          data-testid="two-factor-qr"
        />
        <p class="field-wide muted">
          {t('twoFactor.cannotScan')}{' '}
          {isShowingSecret ? (
            <>
              {t('twoFactor.typeKey')}{' '}
              <code class="secret-key" data-testid="two-factor-secret">
                {enrolment.secret.match(/.{1,4}/g)!.join(' ')}
              </code>
            </>
          ) : (
            <button type="button" class="btn btn-quiet btn-small" onClick={() => setIsShowingSecret(true)} data-testid="two-factor-show-secret">
              {t('twoFactor.showKey')}
            </button>
          )}
        </p>
        <Field label={t('twoFactor.codeLabel')} wide>
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
        <FormActions
          submitLabel={t('twoFactor.turnOn')}
          isDisabled={action.isBusy || code.replace(/\s/g, '').length !== 6}
          testId="two-factor-confirm"
          onCancel={() => setEnrolment(null)}
        />
      </form>
    );
  } else {
    body = (
      <form class="form-grid" onSubmit={(e) => e.preventDefault()} data-testid="two-factor-on">
        <p class="field-wide">
          <Msg k="twoFactor.on" values={{ left: s.recoveryCodesLeft, b: (text) => <strong>{text}</strong> }} />
          {s.isRequired ? ` ${t('twoFactor.roleRequires')}` : ''}
        </p>
        <Field label={t('twoFactor.currentCode')} wide>
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
            {t('twoFactor.newCodes')}
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
              {t('twoFactor.turnOff')}
            </button>
          )}
        </div>
      </form>
    );
  }

  return (
    <section class="panel narrow-panel" aria-labelledby="two-factor-title" data-testid="two-factor-panel">
      <h2 id="two-factor-title">{user ? t('twoFactor.titleFor', { username: user.username }) : t('twoFactor.title')}</h2>
      {body}
      <ErrorNote message={action.error} />
    </section>
  );
}

/** The only page for a user who must set up two-factor login first. */
export function TwoFactorRequiredView({ onEnrolled }: { onEnrolled: () => void }) {
  const t = useT();
  return (
    <section aria-labelledby="account-title" data-testid="two-factor-required">
      <PageHead title={t('twoFactor.requiredTitle')} titleId="account-title" subtitle={t('twoFactor.requiredSubtitle')} />
      <TwoFactorPanel onEnrolled={onEnrolled} />
    </section>
  );
}
