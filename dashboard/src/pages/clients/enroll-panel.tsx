/**
 * Creates an enrollment token for a client and shows, once, the commands that install an agent
 * with it: the one-line Linux install first, then the service installers of a release tree.
 */
import { usePublicUrl } from '../../lib/public-url.js';
import { useState } from 'preact/hooks';
import type { ClientInfo, EnrollmentTokenCreated } from '../../../../shared/api-types.js';
import { useApp } from '../../lib/app-context.js';
import { formatFullTime } from '../../lib/format.js';
import { useAction } from '../../lib/hooks.js';
import { AGENT_BUNDLE, installCommands } from '../../lib/install-commands.js';
import { CopyCommand } from '../../ui/copy-command.js';
import { ErrorNote, Field } from '../../ui/ui.js';
import { useT, type DashKey } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

const lifetimes: { hours: number; label: DashKey }[] = [
  { hours: 24, label: 'enroll.24h' },
  { hours: 24 * 7, label: 'enroll.7d' },
  { hours: 24 * 30, label: 'enroll.30d' },
  { hours: 0, label: 'enroll.never' },
];

/** Command sets whose title and note the catalogue has (install.<id>.title / .note). */
const INSTALL_IDS = ['linux', 'linux-release', 'windows', 'macos'];

export function EnrollPanel({ client, onCreated }: { client: ClientInfo; onCreated?: () => void }) {
  const { api } = useApp();
  const t = useT();
  const action = useAction();
  const [label, setLabel] = useState('');
  const [hours, setHours] = useState(24 * 7);
  const [created, setCreated] = useState<EnrollmentTokenCreated | null>(null);
  const publicUrl = usePublicUrl();
  const sets = created ? installCommands(publicUrl, created.token) : null;

  return (
    <div class="panel" data-testid="enroll-panel">
      <form
        class="form-grid"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            setCreated(await api.createEnrollmentToken(client.id, { label: label.trim() || undefined, expiresInHours: hours || undefined }));
            onCreated?.();
          });
        }}
      >
        <Field label={t('enroll.label')} wide>
          <input maxLength={200} value={label} onInput={(e) => setLabel(e.currentTarget.value)} placeholder={t('enroll.labelPlaceholder')} />
        </Field>
        <Field label={t('enroll.validFor')}>
          <select class="select" value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {lifetimes.map((l) => (
              <option key={l.hours} value={l.hours}>
                {t(l.label)}
              </option>
            ))}
          </select>
        </Field>
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={action.isBusy} data-testid="create-token">
            {t('enroll.create')}
          </button>
        </div>
        <ErrorNote message={action.error} />
      </form>
      {created && sets && (
        <div class="token-result" data-testid="token-result">
          <p class="notice">
            <Msg
              k="enroll.copyNow"
              values={{
                until: created.expiresAtMs ? t('enroll.until', { time: formatFullTime(created.expiresAtMs) }) : '',
                client: client.name,
                b: (text) => <strong>{text}</strong>,
              }}
            />
          </p>
          <p class="muted">
            <Msg k="enroll.bundle" values={{ build: <code>npm run build:agent</code>, bundle: AGENT_BUNDLE, dir: <code>scripts/install/</code> }} />
          </p>
          {sets.map((set) => (
            <div key={set.id} class="command-set">
              <h3>{INSTALL_IDS.includes(set.id) ? t(`install.${set.id}.title` as DashKey) : set.title}</h3>
              {set.commands.map((c, i) => (
                <CopyCommand key={c} command={c} testId={i === 0 ? `install-${set.id}` : undefined} />
              ))}
              <p class="muted">{INSTALL_IDS.includes(set.id) ? t(`install.${set.id}.note` as DashKey) : set.note}</p>
            </div>
          ))}
          <p class="muted">{t('enroll.after')}</p>
        </div>
      )}
    </div>
  );
}
