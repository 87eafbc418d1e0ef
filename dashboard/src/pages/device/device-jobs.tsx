/**
 * Maintenance on one device (technicians and admins run, everyone reads): a task of the fixed
 * catalogue, confirmed with the person's own second factor, and the device's jobs with their state,
 * refreshed every 2 s while one is open and every 10 s otherwise. Break-fix devices run tasks only for an open incident.
 */
import { useEffect, useState } from 'preact/hooks';
import type { DeviceDetail, JobView } from '../../../../shared/api-types.js';
import { useApp, usePermissions } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { Time } from '../../ui/ui.js';
import { ConfirmWithCode } from '../../ui/confirm-with-code.js';
import { TASKS, taskLabel, type Task } from '../../lib/maintenance-tasks.js';
import { activeT, useT } from '../../lib/i18n/index.js';
import { formatFixed } from '../../lib/format.js';

function resultLine(j: JobView): string {
  const t = activeT();
  if (j.state === 'refused' || j.state === 'failed') return `${j.code ?? ''}${j.message ? `: ${j.message}` : ''}`;
  const r = j.result;
  if (!r) return '';
  if (Array.isArray(r.problems)) return r.problems.length === 0 ? t('jobs.noProblems') : (r.problems as string[]).join('; ');
  if (typeof r.pendingCount === 'number') return t('jobs.updatesResult', { pending: r.pendingCount, security: String(r.securityCount ?? 0) });
  if (typeof r.bytesFreed === 'number') return t('jobs.freed', { mb: Math.round(r.bytesFreed / 1e6) });
  return '';
}

export function DeviceJobs({ device }: { device: DeviceDetail }) {
  const { api } = useApp();
  const t = useT();
  const { canAct } = usePermissions();
  const jobs = useLoad(() => api.listJobs(device.id), [api, device.id]);
  const incidents = useLoad(
    () => (device.contract === 'break-fix' ? api.listIncidents({ device: device.id, state: 'open' }) : Promise.resolve([])),
    [api, device.id, device.contract],
  );
  const action = useAction();
  const [task, setTask] = useState<Task>('health.check');
  const [scope, setScope] = useState<'security' | 'all'>('security');
  const [service, setService] = useState('');
  const [incidentId, setIncidentId] = useState('');
  const [code, setCode] = useState('');
  const isOpen = (jobs.data ?? []).some((j) => j.state === 'queued' || j.state === 'sent' || j.state === 'running');
  // Every 2 s while a job is open; every 10 s otherwise, so jobs a schedule makes show up too.
  useEffect(() => {
    const timer = setInterval(jobs.reload, isOpen ? 2_000 : 10_000);
    return () => clearInterval(timer);
  }, [isOpen, jobs.reload]);

  const params = (): Record<string, unknown> =>
    task === 'updates.install'
      ? { scope }
      : task === 'service.restart'
        ? { service: service.trim() }
        : task === 'cleanup'
          ? { targets: ['temp', 'package-cache'] }
          : task === 'reboot'
            ? { delayMinutes: 5 }
            : {};

  return (
    <div class="panel maintenance-panel" data-testid="device-jobs">
      {canAct && (
        <form
          class="job-form"
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              await api.createJob({ deviceIds: [device.id], task, params: params(), ...(incidentId ? { incidentId } : {}), code: code.trim() });
              setCode('');
              jobs.reload();
            });
          }}
        >
          <label class="field">
            <span>{t('jobs.task')}</span>
            <select class="select" value={task} onChange={(e) => setTask(e.currentTarget.value as Task)} data-testid="job-task">
              {TASKS.map((k) => (
                <option key={k.task} value={k.task}>
                  {t(k.label)}
                </option>
              ))}
            </select>
          </label>
          {task === 'updates.install' && (
            <label class="field">
              <span>{t('jobs.which')}</span>
              <select class="select" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'security' | 'all')}>
                <option value="security">{t('jobs.security')}</option>
                <option value="all">{t('jobs.all')}</option>
              </select>
            </label>
          )}
          {task === 'service.restart' && (
            <label class="field">
              <span>{t('jobs.service')}</span>
              <input value={service} onInput={(e) => setService(e.currentTarget.value)} placeholder="Spooler" required />
            </label>
          )}
          {device.contract === 'break-fix' && (
            <label class="field">
              <span>{t('jobs.forIncident')}</span>
              <select class="select" value={incidentId} onChange={(e) => setIncidentId(e.currentTarget.value)} required data-testid="job-incident">
                <option value="">{t('jobs.chooseIncident')}</option>
                {(incidents.data ?? []).map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.title}
                  </option>
                ))}
              </select>
            </label>
          )}
          <ConfirmWithCode code={code} onCode={setCode} isBusy={action.isBusy} error={action.error} testId="job" buttonTestId="job-run">
            {t('jobs.run', { hostname: device.hostname })}
          </ConfirmWithCode>
        </form>
      )}
      {(jobs.data ?? []).length === 0 ? (
        <p class="muted" data-testid="jobs-empty">
          {t('jobs.empty')}
        </p>
      ) : (
        <ul class="job-list" data-testid="job-list">
          {(jobs.data ?? []).map((j) => (
            <li key={j.id} class="job-row" data-testid="job-row" data-state={j.state} data-task={j.task}>
              <p>
                <strong title={j.task}>{taskLabel(j.task)}</strong> <span class={`tag job-${j.state}`}>{t(`jobs.state.${j.state}`)}</span>{' '}
                <span class="muted">
                  {t('jobs.by', { who: j.createdBy })}, <Time ms={j.createdAtMs} />
                  {j.durationMs !== null && t('jobs.took', { seconds: formatFixed(j.durationMs / 1000, 1) })}
                </span>
              </p>
              {resultLine(j) && (
                <p class="muted" data-testid="job-result">
                  {resultLine(j)}
                </p>
              )}
              {j.output && (
                <details>
                  <summary>{t('jobs.output', { bytes: j.outputBytes ?? j.output.length })}</summary>
                  <pre class="job-output">{j.output}</pre>
                </details>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
