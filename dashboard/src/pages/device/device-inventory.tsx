/**
 * What the agent reports about a machine beyond numbers: services, top processes, printers,
 * disks with their SMART verdict, pending updates and logged-in users. Each section shows only
 * when the agent sent it (older agents and platforms without it simply have none).
 */
import type { ComponentChildren } from 'preact';
import { formatBytes, formatFullTime, formatPct, formatRelative } from '../../lib/format.js';
import type { InventoryView, ProcessRow } from './inventory.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

function Section({ title, tsMs, nowMs, children, testId }: { title: string; tsMs: number; nowMs: number; children: ComponentChildren; testId: string }) {
  return (
    <section class="inv-card" data-testid={testId}>
      <h3 class="inv-title">
        {title}
        {tsMs > 0 && (
          <span class="muted inv-age" title={formatFullTime(tsMs)}>
            {formatRelative(tsMs, nowMs)}
          </span>
        )}
      </h3>
      {children}
    </section>
  );
}

function ProcessTable({ rows, caption }: { rows: ProcessRow[]; caption: string }) {
  const t = useT();
  if (rows.length === 0) return null;
  return (
    <table class="table compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('inv.process')}</th>
          <th scope="col" class="num">
            {t('inv.cpu')}
          </th>
          <th scope="col" class="num">
            {t('inv.memory')}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.slice(0, 8).map((p) => (
          <tr key={`${p.pid}-${p.name}`}>
            <td title={`pid ${p.pid}${p.user ? `, ${p.user}` : ''}`}>{p.name}</td>
            <td class="num">{formatPct(p.cpuPct)}</td>
            <td class="num">{formatBytes(p.memBytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DeviceInventory({ inventory: inv, nowMs }: { inventory: InventoryView; nowMs: number }) {
  const t = useT();
  return (
    <div class="inventory" data-testid="device-inventory">
      {inv.services && inv.services.rows.length > 0 && (
        <Section title={t('inv.services')} tsMs={inv.services.tsMs} nowMs={nowMs} testId="inv-services">
          <ul class="inv-list">
            {inv.services.rows.map((s) => (
              <li key={s.name} class={s.isRunning ? '' : 'is-bad'}>
                <span class={`status-dot ${s.isRunning ? 'status-online' : 'status-offline'}`} aria-hidden="true" />
                <span class="inv-name">{s.name}</span>
                <span class="muted">
                  {s.isRunning ? t('inv.running') : s.state || t('inv.stopped')}
                  {s.startMode ? ` · ${s.startMode}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {inv.processes && (inv.processes.byCpu.length > 0 || inv.processes.byMem.length > 0) && (
        <Section title={t('inv.topProcesses')} tsMs={inv.processes.tsMs} nowMs={nowMs} testId="inv-processes">
          <ProcessTable rows={inv.processes.byCpu} caption={t('inv.byCpu')} />
          <ProcessTable rows={inv.processes.byMem} caption={t('inv.byMemory')} />
        </Section>
      )}
      {inv.printers && inv.printers.rows.length > 0 && (
        <Section title={t('inv.printers')} tsMs={inv.printers.tsMs} nowMs={nowMs} testId="inv-printers">
          <ul class="inv-list">
            {inv.printers.rows.map((p) => (
              <li key={p.name} class={p.hasError ? 'is-bad' : ''}>
                <span class={`status-dot ${p.hasError ? 'status-offline' : 'status-online'}`} aria-hidden="true" />
                <span class="inv-name">
                  {p.name}
                  {p.isDefault && <span class="tag">{t('inv.default')}</span>}
                </span>
                <span class="muted">
                  {p.status}
                  {p.model ? ` · ${p.model}` : ''}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {inv.disks && inv.disks.rows.length > 0 && (
        <Section title={t('inv.disks')} tsMs={inv.disks.tsMs} nowMs={nowMs} testId="inv-disks">
          <ul class="inv-list">
            {inv.disks.rows.map((d) => (
              <li key={d.device} class={d.smartStatus === 'failing' ? 'is-bad' : ''}>
                <span class={`smart smart-${d.smartStatus}`}>{t('inv.smart', { status: d.smartStatus })}</span>
                <span class="inv-name">
                  {d.device}
                  {d.name && <span class="muted"> {d.name}</span>}
                </span>
                <span class="muted">
                  {[d.type, d.sizeBytes !== null ? formatBytes(d.sizeBytes) : '', d.temperatureCelsius !== null ? `${Math.round(d.temperatureCelsius)} °C` : '']
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
      {inv.updates && (
        <Section title={t('inv.updates')} tsMs={inv.updates.tsMs} nowMs={nowMs} testId="inv-updates">
          <p>
            <Msg k="inv.pending" values={{ count: inv.updates.info.pendingCount, b: (text) => <strong>{text}</strong> }} />
            {inv.updates.info.securityCount !== null && t('inv.security', { count: inv.updates.info.securityCount })}
            {inv.updates.info.source && <span class="muted"> ({inv.updates.info.source})</span>}
          </p>
          {inv.updates.info.packages.length > 0 && (
            <p class="muted inv-packages">
              {inv.updates.info.packages.slice(0, 12).join(', ')}
              {inv.updates.info.packages.length > 12 ? ' …' : ''}
            </p>
          )}
        </Section>
      )}
      {inv.users && inv.users.rows.length > 0 && (
        <Section title={t('inv.signedIn')} tsMs={inv.users.tsMs} nowMs={nowMs} testId="inv-users">
          <ul class="inv-list">
            {inv.users.rows.map((u, i) => (
              <li key={i}>
                <span class="inv-name">{u.user}</span>
                <span class="muted">
                  {[u.terminal, u.host, u.loginAtMs ? t('inv.since', { when: formatRelative(u.loginAtMs, nowMs) }) : ''].filter(Boolean).join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </div>
  );
}
