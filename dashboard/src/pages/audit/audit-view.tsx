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
import { useT } from '../../lib/i18n/index.js';

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
  const t = useT();
  const rows = Object.entries(detail);
  if (rows.length === 0) return null;
  return (
    <details class="audit-detail">
      <summary>{t('audit.details')}</summary>
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
  const t = useT();
  return (
    <li class="audit-row" data-testid="audit-row">
      <span class="audit-time">
        <Time ms={e.atMs} />
      </span>
      <div class="audit-main">
        <p>
          <strong>{e.actorName ?? t('audit.unknown')}</strong> {e.summary}
        </p>
        <p class="muted audit-meta">
          <code>{e.action}</code> · {t('audit.entity', { type: e.entityType.replace(/-/g, '_'), raw: e.entityType })}
          {e.entityId && <> {e.entityId}</>}
        </p>
        {e.detail && <Detail detail={e.detail} />}
      </div>
    </li>
  );
}

export function AuditView({ filters }: { filters: AuditFilters }) {
  const { api } = useApp();
  const t = useT();
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
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the filters' values: the object itself is new on every render
  }, [api, key, isAdmin]);

  if (!isAdmin) {
    return (
      <EmptyState title={t('audit.onlyAdmins')}>
        <p>{t('audit.onlyAdminsBody')}</p>
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
      <PageHead title={t('audit.title')} titleId="audit-title" subtitle={t('audit.subtitle')} />
      <form
        class="toolbar audit-filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply(draft);
        }}
      >
        <Field label={t('audit.person')}>
          <select class="select" value={draft.actor} onChange={(e) => apply({ ...draft, actor: e.currentTarget.value })} data-testid="audit-actor">
            <option value="">{t('audit.anyone')}</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.username}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('audit.recordType')}>
          <select
            class="select"
            value={draft.entityType}
            onChange={(e) => apply({ ...draft, entityType: e.currentTarget.value })}
            data-testid="audit-entity-type"
          >
            <option value="">{t('audit.any')}</option>
            {[...new Set([...ENTITY_TYPES, draft.entityType].filter(Boolean))].map((type) => (
              <option key={type} value={type}>
                {t('audit.entity', { type: type.replace(/-/g, '_'), raw: type })}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('audit.recordId')}>
          <input
            type="search"
            value={draft.entityId}
            onInput={(e) => setDraft({ ...draft, entityId: e.currentTarget.value })}
            onBlur={() => draft.entityId !== filters.entityId && apply(draft)}
            placeholder={t('audit.anyPlaceholder')}
            data-testid="audit-entity-id"
          />
        </Field>
      </form>
      {state.status === 'loading' ? (
        <div class="splash" aria-busy="true">
          {t('audit.loading')}
        </div>
      ) : state.status === 'missing' ? (
        <EmptyState title={t('audit.missing')} testId="audit-missing">
          <p>{t('audit.missingBody')}</p>
        </EmptyState>
      ) : state.status === 'error' ? (
        <ErrorNote message={t('audit.loadFailed', { error: state.message })} />
      ) : state.entries.length === 0 ? (
        <EmptyState title={isFiltered ? t('audit.emptyFiltered') : t('audit.empty')} testId="audit-empty" />
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
                {isMoreBusy ? t('audit.loadingMore') : t('audit.more')}
              </button>
            </div>
          ) : (
            <p class="muted load-more">{t('audit.everything', { filtered: isFiltered ? 'yes' : 'no' })}</p>
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
