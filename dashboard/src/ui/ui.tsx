/** Small building blocks every page uses: headings, tabs, badges, empty and error states, fields. */
import type { ComponentChildren } from 'preact';
import type { AlertState, AuditEvent, IncidentState, Severity } from '../../../shared/alert-types.js';
import { formatDayMonthTime, formatFullTime } from '../lib/format.js';
import { useT, type DashKey } from '../lib/i18n/index.js';

/** A page title with optional subtitle and actions on the right. */
export function PageHead({
  title,
  subtitle,
  children,
  titleId,
}: {
  title: ComponentChildren;
  subtitle?: ComponentChildren;
  children?: ComponentChildren;
  titleId?: string;
}) {
  return (
    <div class="page-head">
      <div class="page-title">
        <h1 id={titleId}>{title}</h1>
        {subtitle && <p class="page-subtitle">{subtitle}</p>}
      </div>
      {children && <div class="page-actions">{children}</div>}
    </div>
  );
}

/** What a list shows when there is nothing in it: what that means and what to do. */
export function EmptyState({ title, children, testId }: { title: string; children?: ComponentChildren; testId?: string }) {
  return (
    <div class="empty" data-testid={testId ?? 'empty-state'}>
      <p class="empty-title">{title}</p>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

/** Tabs as links (the tab is part of the URL, so back/forward and bookmarks work). */
export function TabLinks({ label, tabs, current }: { label: string; tabs: { id: string; label: string; href: string; count?: number }[]; current: string }) {
  return (
    <nav class="tabs" aria-label={label}>
      {tabs.map((t) => (
        <a key={t.id} href={t.href} class="tab" aria-current={t.id === current ? 'page' : undefined} data-testid={`tab-${t.id}`}>
          {t.label}
          {t.count !== undefined && <span class="tab-count">{t.count}</span>}
        </a>
      ))}
    </nav>
  );
}

export function SeverityBadge({ severity }: { severity: Severity }) {
  const t = useT();
  return (
    <span class={`sev sev-${severity}`} data-severity={severity}>
      {t(`severity.${severity}`)}
    </span>
  );
}

export function StateBadge({ state }: { state: AlertState | IncidentState }) {
  const t = useT();
  return (
    <span class={`state state-${state}`} data-testid="state-badge" data-state={state}>
      {t(`state.${state}`)}
    </span>
  );
}

/** An error message from the server, in place. */
export function ErrorNote({ message, testId }: { message: string; testId?: string }) {
  if (!message) return null;
  return (
    <p class="form-error" role="alert" data-testid={testId ?? 'error'}>
      {message}
    </p>
  );
}

/** Loading / failed placeholder for a page or section. */
export function LoadState({ status, error, onRetry, what }: { status: 'loading' | 'ready' | 'error'; error: string; onRetry?: () => void; what: string }) {
  const t = useT();
  if (status === 'loading') {
    return (
      <div class="splash" aria-busy="true">
        {t('load.loading', { what })}
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div class="splash" role="alert">
        <p>{t('load.failed', { what, error })}</p>
        {onRetry && (
          <button type="button" class="btn" onClick={onRetry}>
            {t('app.tryAgain')}
          </button>
        )}
      </div>
    );
  }
  return null;
}

/** A labelled form control; `hint` explains units or rules. */
export function Field({ label, hint, children, wide }: { label: string; hint?: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <label class={`field${wide ? ' field-wide' : ''}`}>
      <span>{label}</span>
      {children}
      {hint && <small class="field-hint">{hint}</small>}
    </label>
  );
}

const TIMELINE_ACTIONS = new Set([
  'fired',
  'paged',
  'acknowledged',
  'resolved',
  'assigned',
  'commented',
  'opened',
  'closed',
  'billed',
  'time-booked',
  'time-removed',
]);

/** The audit trail of an alert or incident, oldest first. */
export function Timeline({ events }: { events: readonly AuditEvent[] }) {
  const t = useT();
  if (events.length === 0) return <p class="muted">{t('timeline.empty')}</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {events.map((e, i) => (
        <li key={i} class={`tl-item tl-${e.action}`}>
          <span class="tl-dot" aria-hidden="true" />
          <div class="tl-body">
            <p class="tl-head">
              <strong>{TIMELINE_ACTIONS.has(e.action) ? t(`timeline.${e.action}` as DashKey) : e.action}</strong>{' '}
              <span class="muted">{t('timeline.by', { actor: e.actor })}</span>{' '}
              <time class="muted" dateTime={new Date(e.atMs).toISOString()} title={formatFullTime(e.atMs)}>
                {formatDayMonthTime(e.atMs)}
              </time>
            </p>
            {e.detail && <p class="tl-detail">{e.detail}</p>}
          </div>
        </li>
      ))}
    </ol>
  );
}

/** Shown to viewers where others see action buttons. */
export function ReadOnlyNote() {
  const t = useT();
  return (
    <p class="read-only-note" data-testid="read-only-note">
      {t('readOnly')}
    </p>
  );
}

/** A moment shown short (`26 Nov, 19:04`) with the full time and zone on hover, in the viewer's time zone. */
export function Time({ ms }: { ms: number }) {
  return (
    <time dateTime={new Date(ms).toISOString()} title={formatFullTime(ms)}>
      {formatDayMonthTime(ms)}
    </time>
  );
}
