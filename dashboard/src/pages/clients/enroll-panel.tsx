/**
 * Creates an enrollment token for a client and shows, once, the commands that install an agent
 * with it: the one-line Linux and Windows installs first, then the service installers of a release tree.
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

const lifetimes = [
  { hours: 24, label: '24 hours' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
  { hours: 0, label: 'No expiry (revoke it instead)' },
];

export function EnrollPanel({ client, onCreated }: { client: ClientInfo; onCreated?: () => void }) {
  const { api } = useApp();
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
        <Field label="Label (optional)" wide>
          <input maxLength={200} value={label} onInput={(e) => setLabel(e.currentTarget.value)} placeholder="Office PCs" />
        </Field>
        <Field label="Valid for">
          <select class="select" value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {lifetimes.map((l) => (
              <option key={l.hours} value={l.hours}>
                {l.label}
              </option>
            ))}
          </select>
        </Field>
        <div class="button-row">
          <button type="submit" class="btn btn-primary" disabled={action.isBusy} data-testid="create-token">
            Create enrollment token
          </button>
        </div>
        <ErrorNote message={action.error} />
      </form>
      {created && sets && (
        <div class="token-result" data-testid="token-result">
          <p class="notice">
            Copy these now: the token is shown only once{created.expiresAtMs ? ` and works until ${formatFullTime(created.expiresAtMs)}` : ''}. Each machine
            that enrolls with it becomes a device of <strong>{client.name}</strong>.
          </p>
          <p class="muted">
            The release-tree services run the one-file agent: build it once with <code>npm run build:agent</code> ({AGENT_BUNDLE}) and copy it together with{' '}
            <code>scripts/install/</code> to the machine. Node.js 20 or newer must be installed there.
          </p>
          {sets.map((set) => (
            <div key={set.id} class="command-set">
              <h3>{set.title}</h3>
              {set.commands.map((c, i) => (
                <CopyCommand key={c} command={c} testId={i === 0 ? `install-${set.id}` : undefined} />
              ))}
              <p class="muted">{set.note}</p>
            </div>
          ))}
          <p class="muted">The agent stores its own credential after enrolling; the token is not needed again.</p>
        </div>
      )}
    </div>
  );
}
