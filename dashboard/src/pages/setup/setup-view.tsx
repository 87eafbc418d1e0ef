/**
 * First start (GET /api/setup says isNeeded): the admin password, the public URL every link in
 * alert mails and install commands uses (pre-filled with this browser's address, with the
 * server's warnings when it is loopback or private), the default time zone, the first client and
 * the e-mail server with a test send. Only the holder of the one-time code the server printed at
 * its start can finish it; afterwards the page says setup is done.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionUser } from '../../../../shared/api-types.js';
import type { SetupStatus } from '../../../../shared/setup-types.js';
import { describeError } from '../../lib/api.js';
import { useApp } from '../../lib/app-context.js';
import { ErrorNote } from '../../ui/ui.js';
import './setup.css';

type Security = 'starttls' | 'tls' | 'none';

const zones = (): string[] => {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['UTC', 'Europe/Amsterdam'];
};

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
  const allZones = useMemo(zones, []);

  useEffect(() => {
    api.getSetup().then(setStatus, (err: unknown) => setLoadError(describeError(err)));
  }, [api]);
  const effectiveUrl = status?.publicUrlOverride ?? publicUrl;

  // The server's verdict on the URL (and the code), a moment after typing stops.
  useEffect(() => {
    if (!status?.isNeeded || !code) return;
    const t = setTimeout(() => {
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
    return () => clearTimeout(t);
  }, [api, status, code, effectiveUrl]);

  if (loadError) return <ErrorNote message={loadError} testId="setup-load-error" />;
  if (!status) return <div class="splash">Loading…</div>;
  if (!status.isNeeded) {
    return (
      <section class="login" aria-labelledby="setup-title">
        <div class="login-card" data-testid="setup-done">
          <h1 id="setup-title">Setup is done</h1>
          <p>This server is set up already. Sign in with your account.</p>
          <a class="btn btn-primary" href="#/login">
            Sign in
          </a>
        </div>
      </section>
    );
  }

  const isMail = mail.host.trim() !== '';
  const passwordProblem = password && password.length < 10 ? 'at least 10 characters' : repeat && repeat !== password ? 'the two passwords differ' : '';

  async function testMail() {
    setMailTest(null);
    try {
      const r = await api.testSetupEmail(code, emailConfig(mail), adminEmail.trim());
      setMailTest({ ok: true, text: `Sent to ${adminEmail.trim()}${r.detail ? ` — the server answered: ${r.detail}` : ''}. Check the inbox.` });
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
        <h1 id="setup-title">Set up Quarkpulse</h1>
        <p class="muted">Once, on the first start. You can change all of this later.</p>

        {!codeFromUrl && (
          <label class="field">
            <span>Setup code</span>
            <input value={code} onInput={(e) => setCode(e.currentTarget.value.trim())} required autoComplete="off" data-testid="setup-code" />
            <small class="muted">The server printed an address with this code when it started; opening that address fills it in.</small>
          </label>
        )}

        <fieldset class="setup-section">
          <legend>Administrator</legend>
          <label class="field">
            <span>Username</span>
            <input value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autoComplete="username" data-testid="setup-username" />
          </label>
          <label class="field">
            <span>Password</span>
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
            <span>Password again</span>
            <input
              type="password"
              value={repeat}
              onInput={(e) => setRepeat(e.currentTarget.value)}
              required
              autoComplete="new-password"
              data-testid="setup-password-repeat"
            />
          </label>
          {passwordProblem && <p class="form-error">Password: {passwordProblem}.</p>}
          <label class="field">
            <span>Your e-mail address (alerts reach you here)</span>
            <input type="email" value={adminEmail} onInput={(e) => setAdminEmail(e.currentTarget.value)} autoComplete="email" data-testid="setup-admin-email" />
          </label>
        </fieldset>

        <fieldset class="setup-section">
          <legend>Where technicians reach this server</legend>
          <label class="field">
            <span>Public URL</span>
            <input
              type="url"
              value={effectiveUrl}
              disabled={status.publicUrlOverride !== null}
              onInput={(e) => setPublicUrl(e.currentTarget.value)}
              required
              data-testid="setup-public-url"
            />
            <small class="muted">
              {status.publicUrlOverride
                ? 'Set by --public-url / QP_PUBLIC_URL on the server.'
                : 'Every link in alert mails (acknowledge, open the device) and every install command starts with it. Use the address a phone outside the office opens.'}
            </small>
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
            <span>Time zone (new clients and schedules start with it)</span>
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
          <legend>First client (optional)</legend>
          <label class="field">
            <span>Name</span>
            <input value={clientName} onInput={(e) => setClientName(e.currentTarget.value)} placeholder="Jansen Accountants" data-testid="setup-client-name" />
          </label>
          <div class="button-row" role="radiogroup" aria-label="Contract">
            <label>
              <input type="radio" name="contract" checked={contract === 'monthly'} onChange={() => setContract('monthly')} /> Monthly (fixed fee: alerts page)
            </label>
            <label>
              <input type="radio" name="contract" checked={contract === 'break-fix'} onChange={() => setContract('break-fix')} /> Break-fix (per hour: incidents
              only)
            </label>
          </div>
          <div class="setup-pair">
            <label class="field">
              <span>Monthly fee (€)</span>
              <input type="number" min={0} step="0.01" value={fee} onInput={(e) => setFee(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>Hourly rate (€)</span>
              <input type="number" min={0} step="0.01" value={rate} onInput={(e) => setRate(e.currentTarget.value)} />
            </label>
          </div>
        </fieldset>

        <fieldset class="setup-section">
          <legend>E-mail server for alerts (optional)</legend>
          <div class="setup-pair">
            <label class="field">
              <span>SMTP host</span>
              <input
                value={mail.host}
                onInput={(e) => setMail({ ...mail, host: e.currentTarget.value })}
                placeholder="smtp.example.com"
                data-testid="setup-smtp-host"
              />
            </label>
            <label class="field">
              <span>Port</span>
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
            <span>Security</span>
            <select
              class="select"
              value={mail.security}
              onChange={(e) => setMail({ ...mail, security: e.currentTarget.value as Security })}
              data-testid="setup-smtp-security"
            >
              <option value="starttls">STARTTLS (port 587)</option>
              <option value="tls">TLS (port 465)</option>
              <option value="none">None (a relay on a trusted network only)</option>
            </select>
          </label>
          <div class="setup-pair">
            <label class="field">
              <span>Username</span>
              <input value={mail.user} onInput={(e) => setMail({ ...mail, user: e.currentTarget.value })} autoComplete="off" />
            </label>
            <label class="field">
              <span>Password</span>
              <input type="password" value={mail.pass} onInput={(e) => setMail({ ...mail, pass: e.currentTarget.value })} autoComplete="off" />
            </label>
          </div>
          <label class="field">
            <span>Sender</span>
            <input
              value={mail.from}
              onInput={(e) => setMail({ ...mail, from: e.currentTarget.value })}
              placeholder="Quarkpulse <alerts@example.com>"
              data-testid="setup-smtp-from"
            />
          </label>
          <div class="button-row">
            <button type="button" class="btn" disabled={!isMail || !adminEmail.trim() || !code} onClick={() => void testMail()} data-testid="setup-smtp-test">
              Send a test e-mail to {adminEmail.trim() || 'your address'}
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
          {isBusy ? 'Setting up…' : 'Finish setup'}
        </button>
      </form>
    </section>
  );
}
