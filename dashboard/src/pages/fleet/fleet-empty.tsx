/** What a fresh install shows instead of an empty table: how to enroll the first agent. */
import { commandSet } from '../../lib/install-commands.js';
import { usePublicUrl } from '../../lib/public-url.js';
import { CopyCommand } from '../../ui/copy-command.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

export function FleetEmpty() {
  const t = useT();
  const [oneLine] = commandSet(usePublicUrl(), '<token>', 'linux').commands;
  return (
    <section class="empty-state" data-testid="fleet-empty" aria-labelledby="empty-title">
      <h2 id="empty-title">{t('fleet.empty.title')}</h2>
      <ol class="steps">
        <li>
          <p>
            <Msg k="fleet.empty.step1" values={{ clients: <a href="#/clients">{t('nav.clients')}</a> }} />
          </p>
        </li>
        <li>
          <p>{t('fleet.empty.step2', { token: '<token>' })}</p>
          <CopyCommand command={oneLine!} testId="enroll-command" />
        </li>
      </ol>
      <p class="muted">{t('fleet.empty.after')}</p>
    </section>
  );
}
