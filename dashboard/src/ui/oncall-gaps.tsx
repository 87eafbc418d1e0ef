/**
 * On-call gaps: stretches in the coming 7 days in which an escalation policy's first level
 * pages nobody (GET /api/oncall/gaps). A banner on every page while any exist, and the full
 * list on the on-call page ("Tue 01:30–09:00: nobody"). Alerts in a gap page the fallback.
 */
import type { OnCallGaps } from '../../../shared/notify-types.js';
import { useApp } from '../lib/app-context.js';
import { useLoad } from '../lib/hooks.js';
import { activeT, useT } from '../lib/i18n/index.js';
import { Msg } from '../lib/i18n/msg.js';

const tagOf = () => (activeT().locale === 'en' ? undefined : activeT().intlTag);
const dayTime = () => new Intl.DateTimeFormat(tagOf(), { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const timeOnly = () => new Intl.DateTimeFormat(tagOf(), { hour: '2-digit', minute: '2-digit' });
const dayKey = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });

/** `Tue 01:30–09:00`, or `Tue 18:00–Wed 08:00` across a day, in the viewer's time zone. */
export function formatGapSpan(startsAtMs: number, endsAtMs: number): string {
  const sameDay = dayKey.format(startsAtMs) === dayKey.format(endsAtMs);
  return `${dayTime().format(startsAtMs)}–${sameDay ? timeOnly().format(endsAtMs) : dayTime().format(endsAtMs)}`;
}

function gapCount(gaps: OnCallGaps): number {
  return gaps.policies.reduce((n, p) => n + p.gaps.length, 0);
}

/** The banner above every page while some policy has a gap. */
export function GapBanner() {
  const { api } = useApp();
  const t = useT();
  const gaps = useLoad(() => api.onCallGaps(), [api]);
  if (!gaps.data || gapCount(gaps.data) === 0) return null;
  const first = gaps.data.policies.find((p) => p.gaps.length > 0)!;
  const g = first.gaps[0]!;
  const more = gapCount(gaps.data) - 1;
  return (
    <div class="gap-banner" role="status" data-testid="gap-banner">
      <Msg
        k="gaps.banner"
        values={{
          policy: first.name,
          span: formatGapSpan(g.startsAtMs, g.endsAtMs),
          reasons: g.reasons.join('; '),
          more,
          b: (text) => <strong>{text}</strong>,
        }}
      />{' '}
      <a href="#/oncall">{t('gaps.fix')}</a>
    </div>
  );
}

/** Every gap per policy in use, for the on-call page. */
export function GapsPanel() {
  const { api } = useApp();
  const t = useT();
  const gaps = useLoad(() => api.onCallGaps(), [api]);
  if (!gaps.data) return null;
  const total = gapCount(gaps.data);
  return (
    <section class="section" aria-labelledby="gaps-title" data-testid="gaps-panel">
      <h2 id="gaps-title">{t('gaps.title')}</h2>
      {total === 0 ? (
        <p class="muted" data-testid="gaps-none">
          {t('gaps.none')}
        </p>
      ) : (
        <>
          <p class="muted">{t('gaps.intro')}</p>
          <ul class="gap-list">
            {gaps.data.policies
              .filter((p) => p.gaps.length > 0)
              .map((p) => (
                <li key={p.policyId ?? 'implicit'} class="panel gap-policy" data-testid="gap-policy">
                  <p class="gap-policy-name">
                    <strong>{p.name}</strong>
                    {p.isDefault && <span class="tag">{t('gaps.default')}</span>}
                  </p>
                  <ul>
                    {p.gaps.map((g) => (
                      <li key={g.startsAtMs} data-testid="gap">
                        <strong>{t('gaps.nobody', { span: formatGapSpan(g.startsAtMs, g.endsAtMs) })}</strong>{' '}
                        <span class="muted">— {g.reasons.join('; ')}</span>
                      </li>
                    ))}
                  </ul>
                </li>
              ))}
          </ul>
        </>
      )}
    </section>
  );
}
