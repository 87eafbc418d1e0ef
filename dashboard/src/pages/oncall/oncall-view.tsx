/**
 * On-call: who is on call now and next on every schedule, the schedules themselves (layers,
 * overrides, the coming week) and the escalation policies that page them. Technicians and
 * admins create and edit; viewers read.
 */
import { useMemo, useState } from 'preact/hooks';
import type { OnCallNow } from '../../../../shared/notify-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useLoad } from '../../lib/hooks.js';
import type { Names } from './oncall-text.js';
import { GapsPanel } from '../../ui/oncall-gaps.js';
import { PolicyCard } from './policy-card.js';
import { GroupingPanel } from './grouping-panel.js';
import { PolicyForm, type TargetChoices } from './policy-form.js';
import { ScheduleCard } from './schedule-card.js';
import { ScheduleForm } from './schedule-form.js';
import { EmptyState, LoadState, PageHead, Time } from '../../ui/ui.js';
import './oncall.css';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

function NowPanel({ now }: { now: OnCallNow }) {
  const t = useT();
  if (now.schedules.length === 0) return null;
  return (
    <ul class="now-list" data-testid="oncall-now-list">
      {now.schedules.map((s) => (
        <li key={s.scheduleId} class="now-card" data-testid="oncall-now" data-schedule-id={s.scheduleId}>
          <p class="now-schedule">{s.name}</p>
          <p class="now-person">
            <strong data-testid="oncall-now-person">{s.current.username ?? t('oncall.nobody')}</strong>
            {s.current.source === 'override' && <span class="tag tag-active">{t('oncall.override')}</span>}
          </p>
          <p class="muted">
            {s.current.endsAtMs === null ? t('oncall.noChange') : <Msg k="oncall.until" values={{ time: <Time ms={s.current.endsAtMs} /> }} />}
            {s.next && <Msg k="oncall.next" values={{ name: <strong>{s.next.username ?? t('oncall.nobodyLower')}</strong> }} />}
          </p>
        </li>
      ))}
    </ul>
  );
}

export function OnCallView() {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const now = useLoad((signal) => api.onCallNow(signal), [api]);
  const schedules = useLoad(() => api.listSchedules(), [api]);
  const policies = useLoad(() => api.listPolicies(), [api]);
  const users = useLoad(() => api.listUsers(), [api]);
  const channels = useLoad(() => api.listChannels(), [api]);
  const types = useLoad(() => api.listChannelTypes(), [api]);
  const clients = useLoad(() => api.listClients(), [api]);
  const [scheduleFormKey, setScheduleFormKey] = useState(0);
  const [policyFormKey, setPolicyFormKey] = useState(0);

  const people = (users.data ?? []).filter((u) => u.role !== 'viewer' || (schedules.data ?? []).some((s) => s.layers.some((l) => l.userIds.includes(u.id))));
  const names = useMemo<Names>(
    () => ({
      users: new Map((users.data ?? []).map((u) => [u.id, u.username])),
      schedules: new Map((schedules.data ?? []).map((s) => [s.id, s.name])),
      channels: new Map((channels.data ?? []).map((c) => [c.id, c.name])),
    }),
    [users.data, schedules.data, channels.data],
  );
  const shared = new Set((types.data ?? []).filter((x) => x.audience === 'shared').map((x) => x.type));
  const choices: TargetChoices = {
    schedules: schedules.data ?? [],
    users: people,
    rooms: (channels.data ?? []).filter((c) => shared.has(c.type)),
    clients: clients.data ?? [],
  };
  const [gapsKey, setGapsKey] = useState(0);
  const changed = () => {
    schedules.reload();
    now.reload();
    setGapsKey((k) => k + 1);
  };

  return (
    <section aria-labelledby="oncall-title" data-testid="oncall-page">
      <PageHead title={t('oncall.title')} titleId="oncall-title" subtitle={t('oncall.subtitle')} />
      {now.data && <NowPanel now={now.data} />}
      <GapsPanel key={gapsKey} />

      <section class="section" aria-labelledby="schedules-title">
        <h2 id="schedules-title">{t('oncall.schedules')}</h2>
        {canAct && users.data && (
          <details class="panel disclosure">
            <summary data-testid="schedule-new">{t('oncall.newSchedule')}</summary>
            <ScheduleForm key={scheduleFormKey} users={people} onSaved={() => (setScheduleFormKey((k) => k + 1), changed())} />
          </details>
        )}
        {!schedules.data ? (
          <LoadState status={schedules.status} error={schedules.error} onRetry={schedules.reload} what={t('load.schedules')} />
        ) : schedules.data.length === 0 ? (
          <EmptyState title={t('oncall.noSchedules')} testId="schedules-empty">
            <p>{t('oncall.noSchedulesBody')}</p>
          </EmptyState>
        ) : (
          <ul class="card-list stack" data-testid="schedule-list">
            {schedules.data.map((s) => (
              <ScheduleCard key={s.id} schedule={s} users={users.data ?? []} onChanged={changed} onRemoved={changed} onOverridesChanged={now.reload} />
            ))}
          </ul>
        )}
      </section>

      <section class="section" aria-labelledby="policies-title">
        <h2 id="policies-title">{t('oncall.policies')}</h2>
        <GroupingPanel />
        {canAct && users.data && schedules.data && (
          <details class="panel disclosure">
            <summary data-testid="policy-new">{t('oncall.newPolicy')}</summary>
            <PolicyForm key={policyFormKey} choices={choices} onSaved={() => (setPolicyFormKey((k) => k + 1), policies.reload(), setGapsKey((k) => k + 1))} />
          </details>
        )}
        {!policies.data ? (
          <LoadState status={policies.status} error={policies.error} onRetry={policies.reload} what={t('load.policies')} />
        ) : policies.data.length === 0 ? (
          <EmptyState title={t('oncall.noPolicies')} testId="policies-empty">
            <p>{t('oncall.noPoliciesBody')}</p>
          </EmptyState>
        ) : (
          <ul class="card-list stack" data-testid="policy-list">
            {policies.data.map((p) => (
              <PolicyCard key={p.id} policy={p} names={names} choices={choices} onChanged={policies.reload} onRemoved={policies.reload} />
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
