/**
 * Audit log (admins): who changed what, newest first, filtered by person and record, with
 * "Load more" going back page by page (`before=<nextBefore>`). The filters live in the URL
 * (`#/audit?entityType=device&entityId=…`) so other pages can link to a record's history.
 * Servers without the audit module answer 404; the page says so instead of failing.
 */
import { useEffect, useState } from 'preact/hooks';
import type { AuditEntry } from '../../../../shared/audit-types.js';
import { ApiError, describeError } from '../../lib/api.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useLoad } from '../../lib/hooks.js';
import { href, navigate } from '../../lib/router.js';
import { EmptyState, ErrorNote, Field, PageHead, Time } from '../../ui/ui.js';
import './audit.css';

const PAGE_SIZE = 50;
const ENTITY_TYPES = ['client', 'device', 'enrollment-token', 'user', 'channel', 'schedule', 'policy', 'rule', 'maintenance', 'alert', 'incident', 'api-token'];

export interface AuditFilters {
  actor: string;
  entityType: string;
  entityId: string;
}

type State =
  { status: 'loading' } | { status: 'missing' } | { status: 'error'; message: string } | { status: 'ready'; entries: AuditEntry[]; nextBefore: number | null };

function Detail({ detail }: { detail: Record<string, unknown> }) {
  const rows = Object.entries(detail);
  if (rows.length === 0) return null;
  return (
    <details class="audit-detail">
      <summary>Details</summary>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function EntryRow({ entry: e }: { entry: AuditEntry }) {
  return (
    <li class="audit-row" data-testid="audit-row">
      <span class="audit-time">
        <Time ms={e.atMs} />
      </span>
      <div class="audit-main">
        <p>
          <strong>{e.actorName ?? 'unknown'}</strong> {e.summary}
        </p>
        <p class="muted audit-meta">
          <code>{e.action}</code> · {e.entityType}
          {e.entityId && <> {e.entityId}</>}
        </p>
        {e.detail && <Detail detail={e.detail} />}
      </div>
    </li>
  );
}

export function AuditView({ filters }: { filters: AuditFilters }) {
  const { api } = useApp();
  const { isAdmin } = usePermissions();
  const users = useLoad(() => (isAdmin ? api.listUsers() : Promise.resolve([])), [api, isAdmin]);
  const [draft, setDraft] = useState(filters);
  const [state, setState] = useState<State>({ status: 'loading' });
  const [isMoreBusy, setIsMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState('');
  const key = `${filters.actor}|${filters.entityType}|${filters.entityId}`;

  useEffect(() => {
    if (!isAdmin) return;
    setDraft(filters);
    setState({ status: 'loading' });
    const ac = new AbortController();
    api.listAudit({ limit: PAGE_SIZE, ...nonEmpty(filters) }, ac.signal).then(
      (page) => setState({ status: 'ready', entries: page.entries, nextBefore: page.nextBefore }),
      (err: unknown) => {
        if (ac.signal.aborted) return;
        setState(err instanceof ApiError && err.isNotFound ? { status: 'missing' } : { status: 'error', message: describeError(err) });
      },
    );
    return () => ac.abort();
    // `key` stands for the filters' values: the object itself is new on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api, key, isAdmin]);

  if (!isAdmin) {
    return (
      <EmptyState title="Only admins read the audit log">
        <p>Ask an admin who changed a setting.</p>
      </EmptyState>
    );
  }

  const loadMore = async () => {
    if (state.status !== 'ready' || state.nextBefore === null) return;
    setIsMoreBusy(true);
    setMoreError('');
    try {
      const page = await api.listAudit({ limit: PAGE_SIZE, before: state.nextBefore, ...nonEmpty(filters) });
      setState({ status: 'ready', entries: [...state.entries, ...page.entries], nextBefore: page.nextBefore });
    } catch (err) {
      setMoreError(describeError(err));
    } finally {
      setIsMoreBusy(false);
    }
  };
  const apply = (f: AuditFilters) => navigate(href('/audit', { actor: f.actor, entityType: f.entityType, entityId: f.entityId.trim() }), true);
  const isFiltered = Boolean(filters.actor || filters.entityType || filters.entityId);

  return (
    <section aria-labelledby="audit-title" data-testid="audit-page">
      <PageHead
        title="Audit log"
        titleId="audit-title"
        subtitle="Every change to clients, devices, people, channels and on-call, with who made it. Newest first."
      />
      <form
        class="toolbar audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <Field label="Person">
          <select class="select" value={draft.actor} onChange={(e) => apply({ ...draft, actor: e.currentTarget.value })} data-testid="audit-actor">
            <option value="">Anyone</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.username}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Record type">
          <select
            class="select"
            value={draft.entityType}
            onChange={(e) => apply({ ...draft, entityType: e.currentTarget.value })}
            data-testid="audit-entity-type"
          >
            <option value="">Any</option>
            {[...new Set([...ENTITY_TYPES, draft.entityType].filter(Boolean))].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Record id">
          <input
            type="search"
            value={draft.entityId}
            onInput={(e) => setDraft({ ...draft, entityId: e.currentTarget.value })}
            onBlur={() => draft.entityId !== filters.entityId && apply(draft)}
            placeholder="any"
            data-testid="audit-entity-id"
          />
        </Field>
      </form>
      {state.status === 'loading' ? (
        <div class="splash" aria-busy="true">
          Loading the audit log…
        </div>
      ) : state.status === 'missing' ? (
        <EmptyState title="Audit log not available on this server" testId="audit-missing">
          <p>
            This server has no audit log yet (GET /api/audit answered 404). It comes with a server update; nothing is lost meanwhile in the alert and incident
            timelines.
          </p>
        </EmptyState>
      ) : state.status === 'error' ? (
        <ErrorNote message={`Could not load the audit log: ${state.message}`} />
      ) : state.entries.length === 0 ? (
        <EmptyState title={isFiltered ? 'Nothing recorded for these filters' : 'Nothing recorded yet'} testId="audit-empty" />
      ) : (
        <>
          <ol class="audit-list" data-testid="audit-list">
            {state.entries.map((e) => (
              <EntryRow key={e.id} entry={e} />
            ))}
          </ol>
          {state.nextBefore !== null ? (
            <div class="button-row load-more">
              <button type="button" class="btn" disabled={isMoreBusy} onClick={loadMore} data-testid="audit-more">
                {isMoreBusy ? 'Loading…' : 'Load more'}
              </button>
            </div>
          ) : (
            <p class="muted load-more">That is everything{isFiltered ? ' for these filters' : ''}.</p>
          )}
          <ErrorNote message={moreError} />
        </>
      )}
    </section>
  );
}

function nonEmpty(f: AuditFilters): { actor?: string; entityType?: string; entityId?: string } {
  return { actor: f.actor || undefined, entityType: f.entityType || undefined, entityId: f.entityId || undefined };
}
