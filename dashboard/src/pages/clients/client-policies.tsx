/**
 * Scheduled maintenance of a monthly client (docs/MAINTENANCE.md, "Policies"): a task that runs
 * at every occurrence of one of the client's recurring maintenance windows, optionally the pilot
 * device first and the rest days later. Making one needs the person's second factor; break-fix
 * clients get no schedule (their tasks run for an incident, from the device page).
 */
import { useState } from 'preact/hooks';
import type { ClientInfo } from '../../../../shared/api-types.js';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { TASKS, taskLabel, type Task } from '../../lib/maintenance-tasks.js';
import { Time } from '../../ui/ui.js';
import { ConfirmWithCode } from '../../ui/confirm-with-code.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

const PARAMS: Partial<Record<Task, Record<string, unknown>>> = {
  'updates.install': { scope: 'security' },
  cleanup: { targets: ['temp', 'package-cache'] },
  reboot: { delayMinutes: 5 },
};

export function ClientPolicies({ client }: { client: ClientInfo }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const policies = useLoad(() => api.listMaintenancePolicies(client.id), [api, client.id]);
  const windows = useLoad(() => api.listMaintenance(), [api]);
  const devices = useLoad(() => api.listDevices(), [api]);
  const action = useAction();
  const [name, setName] = useState('');
  const [task, setTask] = useState<Task>('updates.install');
  const [windowId, setWindowId] = useState('');
  const [pilot, setPilot] = useState('');
  const [days, setDays] = useState('0');
  const [hold, setHold] = useState('');
  const [code, setCode] = useState('');
  const own = (windows.data ?? []).filter((w) => w.kind === 'recurring' && w.scope.type === 'client' && w.scope.clientId === client.id);
  const machines = (devices.data ?? []).filter((d) => d.clientId === client.id && (d.kind === undefined || d.kind === 'agent'));
  const windowName = (id: string) => own.find((w) => w.id === id)?.name ?? t('policies.aWindow');

  return (
    <section class="section" aria-labelledby="client-policies-title">
      <h2 id="client-policies-title">{t('policies.title')}</h2>
      <div class="panel maintenance-panel" data-testid="client-policies">
        {client.contract === 'break-fix' ? (
          <p class="muted">{t('policies.breakFix')}</p>
        ) : (
          <>
            {(policies.data ?? []).length === 0 ? (
              <p class="muted">{t('policies.none')}</p>
            ) : (
              <ul class="job-list" data-testid="policy-list">
                {(policies.data ?? []).map((p) => (
                  <li key={p.id} class="job-row" data-testid="policy-row">
                    <p>
                      <strong>{p.name}</strong>: {t('policies.row', { task: taskLabel(p.task), window: windowName(p.windowId) })}
                      {p.pilotDeviceIds.length > 0 && p.ringDelayDays > 0 ? t('policies.pilot', { days: p.ringDelayDays }) : t('policies.allAtOnce')}
                      {p.holdOthersDays !== null && t('policies.hold', { days: p.holdOthersDays })}
                    </p>
                    <p class="muted">
                      {t('policies.by', { who: p.createdBy })}
                      {p.lastRunStartMs && <Msg k="policies.lastRun" values={{ time: <Time ms={p.lastRunStartMs} /> }} />}
                      {canAct && (
                        <button
                          type="button"
                          class="btn btn-quiet btn-small"
                          onClick={() =>
                            window.confirm(t('policies.deleteConfirm', { name: p.name })) &&
                            void action.run(async () => {
                              await api.deleteMaintenancePolicy(p.id);
                              policies.reload();
                            })
                          }
                        >
                          {t('policies.delete')}
                        </button>
                      )}
                    </p>
                  </li>
                ))}
              </ul>
            )}
            {canAct &&
              (own.length === 0 ? (
                <p class="muted">
                  <Msg k="policies.needWindow" values={{ link: <a href="#/maintenance">{t('nav.maintenance')}</a> }} />
                </p>
              ) : (
                <form
                  class="job-form"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void action.run(async () => {
                      await api.createMaintenancePolicy({
                        clientId: client.id,
                        name: name.trim() || taskLabel(task),
                        task,
                        params: PARAMS[task] ?? {},
                        windowId: windowId || own[0]!.id,
                        pilotDeviceIds: pilot ? [pilot] : [],
                        ringDelayDays: pilot ? Number(days) : 0,
                        holdOthersDays: task === 'updates.install' && hold ? Number(hold) : null,
                        code: code.trim(),
                      });
                      setCode('');
                      setName('');
                      policies.reload();
                    });
                  }}
                >
                  <label class="field">
                    <span>{t('policies.name')}</span>
                    <input value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={t('policies.namePlaceholder')} data-testid="policy-name" />
                  </label>
                  <label class="field">
                    <span>{t('policies.task')}</span>
                    <select class="select" value={task} onChange={(e) => setTask(e.currentTarget.value as Task)} data-testid="policy-task">
                      {TASKS.filter((k) => k.task !== 'service.restart').map((k) => (
                        <option key={k.task} value={k.task}>
                          {t(k.label)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="field">
                    <span>{t('policies.inWindow')}</span>
                    <select class="select" value={windowId || own[0]!.id} onChange={(e) => setWindowId(e.currentTarget.value)} data-testid="policy-window">
                      {own.map((w) => (
                        <option key={w.id} value={w.id}>
                          {w.name}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label class="field">
                    <span>{t('policies.pilotMachine')}</span>
                    <select class="select" value={pilot} onChange={(e) => setPilot(e.currentTarget.value)} data-testid="policy-pilot">
                      <option value="">{t('policies.noPilot')}</option>
                      {machines.map((d) => (
                        <option key={d.id} value={d.id}>
                          {d.hostname}
                        </option>
                      ))}
                    </select>
                  </label>
                  {task === 'updates.install' && (
                    <label class="field">
                      <span>{t('policies.holdDays')}</span>
                      <input
                        type="number"
                        min={1}
                        max={90}
                        value={hold}
                        onInput={(e) => setHold(e.currentTarget.value)}
                        placeholder={t('policies.holdPlaceholder')}
                        data-testid="policy-hold"
                      />
                    </label>
                  )}
                  {pilot && (
                    <label class="field">
                      <span>{t('policies.restAfter')}</span>
                      <input type="number" min={1} max={30} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
                    </label>
                  )}
                  <ConfirmWithCode code={code} onCode={setCode} isBusy={action.isBusy} error={action.error} testId="policy" buttonTestId="policy-create">
                    {t('policies.schedule')}
                  </ConfirmWithCode>
                </form>
              ))}
          </>
        )}
      </div>
    </section>
  );
}
