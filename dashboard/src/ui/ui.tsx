/** Small building blocks every page uses: headings, tabs, badges, empty and error states, fields. */
import type { ComponentChildren } from 'preact';
import type { AlertState, AuditEvent, IncidentState, Severity } from '../../../shared/alert-types.js';
import { formatDayMonthTime, formatFullTime } from '../lib/format.js';

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

const severityLabels: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', info: 'Info' };

export function SeverityBadge({ severity }: { severity: Severity }) {
  return (
    <span class={`sev sev-${severity}`} data-severity={severity}>
      {severityLabels[severity]}
    </span>
  );
}

const stateLabels: Record<AlertState | IncidentState, string> = {
  firing: 'Firing',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  open: 'Open',
  closed: 'Closed',
  billed: 'Billed',
};

export function StateBadge({ state }: { state: AlertState | IncidentState }) {
  return (
    <span class={`state state-${state}`} data-testid="state-badge" data-state={state}>
      {stateLabels[state]}
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
  if (status === 'loading') {
    return (
      <div class="splash" aria-busy="true">
        Loading {what}…
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div class="splash" role="alert">
        <p>
          Could not load {what}: {error}
        </p>
        {onRetry && (
          <button type="button" class="btn" onClick={onRetry}>
            Try again
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

const actionLabels: Record<string, string> = {
  fired: 'Fired',
  paged: 'Paged',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  assigned: 'Assigned',
  commented: 'Comment',
  opened: 'Opened',
  closed: 'Closed',
  billed: 'Billed',
  'time-booked': 'Time booked',
  'time-removed': 'Time removed',
};

/** The audit trail of an alert or incident, oldest first. */
export function Timeline({ events }: { events: readonly AuditEvent[] }) {
  if (events.length === 0) return <p class="muted">Nothing recorded yet.</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {events.map((e, i) => (
        <li key={i} class={`tl-item tl-${e.action}`}>
          <span class="tl-dot" aria-hidden="true" />
          <div class="tl-body">
            <p class="tl-head">
              <strong>{actionLabels[e.action] ?? e.action}</strong> <span class="muted">by {e.actor}</span>{' '}
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
  return (
    <p class="read-only-note" data-testid="read-only-note">
      You have read-only access (viewer).
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
