/**
 * First start (GET /api/setup says isNeeded): the admin password, the public URL every link in
 * alert mails and install commands uses (pre-filled with this browser's address, with the
 * server's warnings when it is loopback or private), the default time zone, the first client and
 * the e-mail server with a test send. Only the holder of the one-time code the server printed at
 * its start can finish it; afterwards the page says setup is done.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SessionUser } from '../../../../shared/api-types.js';
import type { SetupStatus } from '../../../../shared/setup-types.js';
import { describeError } from '../../lib/api.js';
import { useApp } from '../../lib/app-context.js';
import { ErrorNote } from '../../ui/ui.js';
import './setup.css';
import { useT } from '../../lib/i18n/index.js';
import { timeZones } from '../../lib/time-zones.js';

type Security = 'starttls' | 'tls' | 'none';

/** The e-mail channel config the server's email channel expects. */
function emailConfig(f: { host: string; port: string; security: Security; user: string; pass: string; from: string }): Record<string, unknown> {
  return {
    host: f.host.trim(),
    ...(f.port.trim() ? { port: Number(f.port) } : {}),
    secure: f.security === 'tls',
    tls: f.security === 'none' ? 'none' : 'required',
    ...(f.user ? { auth: { user: f.user, pass: f.pass } } : {}),
    from: f.from.trim(),
  };
}

export function SetupView({ code: codeFromUrl, onDone }: { code: string | null; onDone: (me: SessionUser) => void }) {
  const { api } = useApp();
  const t = useT();
  const [status, setStatus] = useState<SetupStatus | null>(null);
  const [loadError, setLoadError] = useState('');
  const [code, setCode] = useState(codeFromUrl ?? '');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [adminEmail, setAdminEmail] = useState('');
  const [publicUrl, setPublicUrl] = useState(window.location.origin);
  const [urlWarnings, setUrlWarnings] = useState<string[]>([]);
  const [urlError, setUrlError] = useState('');
  const [timezone, setTimezone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [clientName, setClientName] = useState('');
  const [contract, setContract] = useState<'monthly' | 'break-fix'>('monthly');
  const [fee, setFee] = useState('');
  const [rate, setRate] = useState('');
  const [mail, setMail] = useState({ host: '', port: '', security: 'starttls' as Security, user: '', pass: '', from: '' });
  const [mailTest, setMailTest] = useState<{ ok: boolean; text: string } | null>(null);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState('');
  const allZones = timeZones();

  useEffect(() => {
    api.getSetup().then(setStatus, (err: unknown) => setLoadError(describeError(err)));
  }, [api]);
  const effectiveUrl = status?.publicUrlOverride ?? publicUrl;

  // The server's verdict on the URL (and the code), a moment after typing stops.
  useEffect(() => {
    if (!status?.isNeeded || !code) return;
    const timer = setTimeout(() => {
      api.checkSetup(code, effectiveUrl).then(
        (r) => {
          setUrlError('');
          setUrlWarnings(r.publicUrl?.warnings ?? []);
        },
        (err: unknown) => {
          setUrlWarnings([]);
          setUrlError(describeError(err));
        },
      );
    }, 400);
    return () => clearTimeout(timer);
  }, [api, status, code, effectiveUrl]);

  if (loadError) return <ErrorNote message={loadError} testId="setup-load-error" />;
  if (!status) return <div class="splash">{t('setup.loading')}</div>;
  if (!status.isNeeded) {
    return (
      <section class="login" aria-labelledby="setup-title">
        <div class="login-card" data-testid="setup-done">
          <h1 id="setup-title">{t('setup.doneTitle')}</h1>
          <p>{t('setup.doneBody')}</p>
          <a class="btn btn-primary" href="#/login">
            {t('setup.signIn')}
          </a>
        </div>
      </section>
    );
  }

  const isMail = mail.host.trim() !== '';
  const passwordProblem = password && password.length < 10 ? t('setup.pwShort') : repeat && repeat !== password ? t('setup.pwDiffer') : '';

  async function testMail() {
    setMailTest(null);
    try {
      const r = await api.testSetupEmail(code, emailConfig(mail), adminEmail.trim());
      setMailTest({ ok: true, text: t('setup.mailSent', { to: adminEmail.trim(), detail: r.detail ? t('setup.mailDetail', { detail: r.detail }) : '' }) });
    } catch (err) {
      setMailTest({ ok: false, text: describeError(err) });
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setIsBusy(true);
    try {
      await api.completeSetup({
        code,
        admin: { username: username.trim(), password, email: adminEmail.trim() || null },
        publicUrl: effectiveUrl,
        timezone,
        ...(clientName.trim()
          ? { client: { name: clientName.trim(), contract, ...(fee ? { monthlyFee: Number(fee) } : {}), ...(rate ? { hourlyRate: Number(rate) } : {}) } }
          : {}),
        ...(isMail ? { email: emailConfig(mail) } : {}),
      });
      onDone(await api.getMe());
    } catch (err) {
      setError(describeError(err));
    } finally {
      setIsBusy(false);
    }
  }

  return (
    <section class="setup" aria-labelledby="setup-title">
      <form class="login-card setup-card" onSubmit={submit} data-testid="setup-form">
        <h1 id="setup-title">{t('setup.title')}</h1>
        <p class="muted">{t('setup.subtitle')}</p>

        {!codeFromUrl && (
          <label class="field">
            <span>{t('setup.code')}</span>
            <input value={code} onInput={(e) => setCode(e.currentTarget.value.trim())} required autoComplete="off" data-testid="setup-code" />
            <small class="muted">{t('setup.codeHint')}</small>
          </label>
        )}

        <fieldset class="setup-section">
          <legend>{t('setup.admin')}</legend>
          <label class="field">
            <span>{t('setup.username')}</span>
            <input value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autoComplete="username" data-testid="setup-username" />
          </label>
          <label class="field">
            <span>{t('setup.password')}</span>
            <input
              type="password"
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              required
              minLength={10}
              autoComplete="new-password"
              data-testid="setup-password"
            />
          </label>
          <label class="field">
            <span>{t('setup.passwordAgain')}</span>
            <input
              type="password"
              value={repeat}
              onInput={(e) => setRepeat(e.currentTarget.value)}
              required
              autoComplete="new-password"
              data-testid="setup-password-repeat"
            />
          </label>
          {passwordProblem && <p class="form-error">{t('setup.passwordProblem', { problem: passwordProblem })}</p>}
          <label class="field">
            <span>{t('setup.email')}</span>
            <input type="email" value={adminEmail} onInput={(e) => setAdminEmail(e.currentTarget.value)} autoComplete="email" data-testid="setup-admin-email" />
          </label>
        </fieldset>

        <fieldset class="setup-section">
          <legend>{t('setup.where')}</legend>
          <label class="field">
            <span>{t('setup.publicUrl')}</span>
            <input
              type="url"
              value={effectiveUrl}
              disabled={status.publicUrlOverride !== null}
              onInput={(e) => setPublicUrl(e.currentTarget.value)}
              required
              data-testid="setup-public-url"
            />
            <small class="muted">{status.publicUrlOverride ? t('setup.urlFlag') : t('setup.urlHint')}</small>
          </label>
          {urlError && (
            <p class="form-error" role="alert" data-testid="setup-url-error">
              {urlError}
            </p>
          )}
          {urlWarnings.map((w) => (
            <p key={w} class="notice setup-warning" role="status" data-testid="setup-url-warning">
              {w}
            </p>
          ))}
          <label class="field">
            <span>{t('setup.timezone')}</span>
            <select class="select" value={timezone} onChange={(e) => setTimezone(e.currentTarget.value)} data-testid="setup-timezone">
              {allZones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          </label>
        </fieldset>

        <fieldset class="setup-section">
          <legend>{t('setup.firstClient')}</legend>
          <label class="field">
            <span>{t('setup.clientName')}</span>
            <input value={clientName} onInput={(e) => setClientName(e.currentTarget.value)} placeholder="Jansen Accountants" data-testid="setup-client-name" />
          </label>
          <div class="button-row" role="radiogroup" aria-label={t('setup.contract')}>
            <label>
              <input type="radio" name="contract" checked={contract === 'monthly'} onChange={() => setContract('monthly')} /> {t('setup.monthly')}
            </label>
            <label>
              <input type="radio" name="contract" checked={contract === 'break-fix'} onChange={() => setContract('break-fix')} /> {t('setup.breakFix')}
            </label>
          </div>
          <div class="setup-pair">
            <label class="field">
              <span>{t('setup.fee')}</span>
              <input type="number" min={0} step="0.01" value={fee} onInput={(e) => setFee(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t('setup.rate')}</span>
              <input type="number" min={0} step="0.01" value={rate} onInput={(e) => setRate(e.currentTarget.value)} />
            </label>
          </div>
        </fieldset>

        <fieldset class="setup-section">
          <legend>{t('setup.mail')}</legend>
          <div class="setup-pair">
            <label class="field">
              <span>{t('setup.smtpHost')}</span>
              <input
                value={mail.host}
                onInput={(e) => setMail({ ...mail, host: e.currentTarget.value })}
                placeholder="smtp.example.com"
                data-testid="setup-smtp-host"
              />
            </label>
            <label class="field">
              <span>{t('setup.port')}</span>
              <input
                type="number"
                min={1}
                max={65535}
                value={mail.port}
                onInput={(e) => setMail({ ...mail, port: e.currentTarget.value })}
                placeholder={mail.security === 'tls' ? '465' : '587'}
                data-testid="setup-smtp-port"
              />
            </label>
          </div>
          <label class="field">
            <span>{t('setup.security')}</span>
            <select
              class="select"
              value={mail.security}
              onChange={(e) => setMail({ ...mail, security: e.currentTarget.value as Security })}
              data-testid="setup-smtp-security"
            >
              <option value="starttls">{t('setup.starttls')}</option>
              <option value="tls">{t('setup.tls')}</option>
              <option value="none">{t('setup.none')}</option>
            </select>
          </label>
          <div class="setup-pair">
            <label class="field">
              <span>{t('setup.username')}</span>
              <input value={mail.user} onInput={(e) => setMail({ ...mail, user: e.currentTarget.value })} autoComplete="off" />
            </label>
            <label class="field">
              <span>{t('setup.password')}</span>
              <input type="password" value={mail.pass} onInput={(e) => setMail({ ...mail, pass: e.currentTarget.value })} autoComplete="off" />
            </label>
          </div>
          <label class="field">
            <span>{t('setup.sender')}</span>
            <input
              value={mail.from}
              onInput={(e) => setMail({ ...mail, from: e.currentTarget.value })}
              placeholder="Quarkpulse <alerts@example.com>"
              data-testid="setup-smtp-from"
            />
          </label>
          <div class="button-row">
            <button type="button" class="btn" disabled={!isMail || !adminEmail.trim() || !code} onClick={() => void testMail()} data-testid="setup-smtp-test">
              {t('setup.test', { to: adminEmail.trim() || t('setup.yourAddress') })}
            </button>
          </div>
          {mailTest && (
            <p class={mailTest.ok ? 'notice' : 'form-error'} role="status" data-testid="setup-smtp-result" data-ok={String(mailTest.ok)}>
              {mailTest.text}
            </p>
          )}
        </fieldset>

        {error && (
          <p class="form-error" role="alert" data-testid="setup-error">
            {error}
          </p>
        )}
        <button
          type="submit"
          class="btn btn-primary"
          disabled={isBusy || !code || !!passwordProblem || !password || password !== repeat}
          data-testid="setup-submit"
        >
          {isBusy ? t('setup.settingUp') : t('setup.finish')}
        </button>
      </form>
    </section>
  );
}
