/**
 * On-call gaps: stretches in the coming 7 days in which an escalation policy's first level
 * pages nobody (GET /api/oncall/gaps). A banner on every page while any exist, and the full
 * list on the on-call page ("Tue 01:30–09:00: nobody"). Alerts in a gap page the fallback.
 */
import type { OnCallGaps } from '../../../shared/notify-types.js';
import { useApp } from '../lib/app-context.js';
import { useLoad } from '../lib/hooks.js';

const dayTime = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayKey = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });

/** `Tue 01:30–09:00`, or `Tue 18:00–Wed 08:00` across a day, in the viewer's time zone. */
export function formatGapSpan(startsAtMs: number, endsAtMs: number): string {
  const sameDay = dayKey.format(startsAtMs) === dayKey.format(endsAtMs);
  return `${dayTime.format(startsAtMs)}–${sameDay ? timeOnly.format(endsAtMs) : dayTime.format(endsAtMs)}`;
}

function gapCount(gaps: OnCallGaps): number {
  return gaps.policies.reduce((n, p) => n + p.gaps.length, 0);
}

/** The banner above every page while some policy has a gap. */
export function GapBanner() {
  const { api } = useApp();
  const gaps = useLoad(() => api.onCallGaps(), [api]);
  if (!gaps.data || gapCount(gaps.data) === 0) return null;
  const first = gaps.data.policies.find((p) => p.gaps.length > 0)!;
  const g = first.gaps[0]!;
  const more = gapCount(gaps.data) - 1;
  return (
    <div class="gap-banner" role="status" data-testid="gap-banner">
      <strong>On-call gap:</strong> {first.name} pages nobody {formatGapSpan(g.startsAtMs, g.endsAtMs)} ({g.reasons.join('; ')})
      {more > 0 ? ` and ${more} more time${more === 1 ? '' : 's'} this week` : ''}. Alerts then go to the fallback.{' '}
      <a href="#/oncall">Fix on the on-call page</a>
    </div>
  );
}

/** Every gap per policy in use, for the on-call page. */
export function GapsPanel() {
  const { api } = useApp();
  const gaps = useLoad(() => api.onCallGaps(), [api]);
  if (!gaps.data) return null;
  const total = gapCount(gaps.data);
  return (
    <section class="section" aria-labelledby="gaps-title" data-testid="gaps-panel">
      <h2 id="gaps-title">Gaps in the coming 7 days</h2>
      {total === 0 ? (
        <p class="muted" data-testid="gaps-none">
          Every escalation policy in use reaches someone at every moment of the coming week.
        </p>
      ) : (
        <>
          <p class="muted">
            In these times the first level pages nobody; the alert goes to the fallback (the admins unless another fallback is set) and is marked “unrouted”.
          </p>
          <ul class="gap-list">
            {gaps.data.policies
              .filter((p) => p.gaps.length > 0)
              .map((p) => (
                <li key={p.policyId ?? 'implicit'} class="panel gap-policy" data-testid="gap-policy">
                  <p class="gap-policy-name">
                    <strong>{p.name}</strong>
                    {p.isDefault && <span class="tag">default</span>}
                  </p>
                  <ul>
                    {p.gaps.map((g) => (
                      <li key={g.startsAtMs} data-testid="gap">
                        <strong>{formatGapSpan(g.startsAtMs, g.endsAtMs)}: nobody</strong> <span class="muted">— {g.reasons.join('; ')}</span>
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
