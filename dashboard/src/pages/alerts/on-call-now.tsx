/**
 * "Who is on call now", for the alerts page: per schedule the person on call (GET
 * /api/oncall/now → `schedules[].current`), with a link to the on-call page. Renders nothing
 * while loading or when the server has no on-call module (404).
 */
import type { OnCallNow as OnCallNowAnswer } from '../../../../shared/notify-types.js';
import { useApp } from '../../lib/app-context.js';
import { useLoad } from '../../lib/hooks.js';
import { activeT, useT } from '../../lib/i18n/index.js';

/** `piet (Primary)` per schedule; a schedule with nobody on call says so. */
export function onCallLines(answer: OnCallNowAnswer): string[] {
  return answer.schedules.map(
    (s) => `${s.current.username ?? activeT()('onCallNow.nobody')}${answer.schedules.length > 1 || s.current.username === null ? ` (${s.name})` : ''}`,
  );
}

export function OnCallNow() {
  const { api } = useApp();
  const t = useT();
  const onCall = useLoad((signal) => api.onCallNow(signal), [api]);
  if (onCall.status !== 'ready' || !onCall.data) return null;
  const lines = onCallLines(onCall.data);
  return (
    <p class="on-call" data-testid="on-call-now">
      <span class="muted">{t('onCallNow.title')}</span> <a href="#/oncall">{lines.length > 0 ? lines.join(', ') : t('onCallNow.noSchedule')}</a>
    </p>
  );
}
