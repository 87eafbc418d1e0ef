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
import { TASKS, type Task } from '../../lib/maintenance-tasks.js';

const STATE_WORDS: Record<JobView['state'], string> = {
  queued: 'waiting for the device',
  sent: 'sent',
  running: 'running',
  done: 'done',
  failed: 'failed',
  refused: 'refused by the agent',
  expired: 'expired before the device took it',
};

function resultLine(j: JobView): string {
  if (j.state === 'refused' || j.state === 'failed') return `${j.code ?? ''}${j.message ? `: ${j.message}` : ''}`;
  const r = j.result;
  if (!r) return '';
  if (Array.isArray(r.problems)) return r.problems.length === 0 ? 'no problems found' : (r.problems as string[]).join('; ');
  if (typeof r.pendingCount === 'number') return `${r.pendingCount} updates pending, ${String(r.securityCount ?? 0)} security`;
  if (typeof r.bytesFreed === 'number') return `${Math.round(r.bytesFreed / 1e6)} MB freed`;
  return '';
}

export function DeviceJobs({ device }: { device: DeviceDetail }) {
  const { api } = useApp();
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
    const t = setInterval(jobs.reload, isOpen ? 2_000 : 10_000);
    return () => clearInterval(t);
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
            <span>Task</span>
            <select class="select" value={task} onChange={(e) => setTask(e.currentTarget.value as Task)} data-testid="job-task">
              {TASKS.map((t) => (
                <option key={t.task} value={t.task}>
                  {t.label}
                </option>
              ))}
            </select>
          </label>
          {task === 'updates.install' && (
            <label class="field">
              <span>Which</span>
              <select class="select" value={scope} onChange={(e) => setScope(e.currentTarget.value as 'security' | 'all')}>
                <option value="security">Security updates</option>
                <option value="all">All updates</option>
              </select>
            </label>
          )}
          {task === 'service.restart' && (
            <label class="field">
              <span>Service</span>
              <input value={service} onInput={(e) => setService(e.currentTarget.value)} placeholder="Spooler" required />
            </label>
          )}
          {device.contract === 'break-fix' && (
            <label class="field">
              <span>For incident</span>
              <select class="select" value={incidentId} onChange={(e) => setIncidentId(e.currentTarget.value)} required data-testid="job-incident">
                <option value="">choose an open incident…</option>
                {(incidents.data ?? []).map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.title}
                  </option>
                ))}
              </select>
            </label>
          )}
          <ConfirmWithCode code={code} onCode={setCode} isBusy={action.isBusy} error={action.error} testId="job" buttonTestId="job-run">
            Run on {device.hostname}
          </ConfirmWithCode>
        </form>
      )}
      {(jobs.data ?? []).length === 0 ? (
        <p class="muted" data-testid="jobs-empty">
          No maintenance jobs yet. Tasks come from a fixed catalogue; each is signed by the server and checked by the agent before it runs.
        </p>
      ) : (
        <ul class="job-list" data-testid="job-list">
          {(jobs.data ?? []).map((j) => (
            <li key={j.id} class="job-row" data-testid="job-row" data-state={j.state} data-task={j.task}>
              <p>
                <strong>{j.task}</strong> <span class={`tag job-${j.state}`}>{STATE_WORDS[j.state]}</span>{' '}
                <span class="muted">
                  by {j.createdBy}, <Time ms={j.createdAtMs} />
                  {j.durationMs !== null && `, took ${(j.durationMs / 1000).toFixed(1)} s`}
                </span>
              </p>
              {resultLine(j) && (
                <p class="muted" data-testid="job-result">
                  {resultLine(j)}
                </p>
              )}
              {j.output && (
                <details>
                  <summary>Output ({j.outputBytes ?? j.output.length} bytes)</summary>
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
