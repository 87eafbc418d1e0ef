/**
 * The words of every message, pure: alert pages and follow-ups, dead-letter notices to admins,
 * the break-fix digest and channel tests. Channels only lay these out.
 */
import type { Incident, Severity } from '../../shared/alert-types.js';
import { formatDuration } from '../../shared/format.js';
import { formatMetricValue, labelMetric } from '../../shared/metric-labels.js';
import type { AlertGroupSummary, AlertNotificationPayload } from '../../shared/notification-message.js';
import type { MessageKind, NotificationMessage } from './channels/types.js';

/** "2025-07-01 09:05 UTC". */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Where a message goes and what it links to. */
export interface Addressing {
  idempotencyKey: string;
  to: string | null;
  mentions: string[];
  ackUrl: string | null;
  viewUrl: string | null;
  atMs: number;
}

/** The tail of a message about no alert: nothing to acknowledge, no escalation level. */
function notAboutAnAlert(a: Addressing, mentions: string[] = a.mentions) {
  return { ackUrl: null, viewUrl: a.viewUrl, to: a.to, mentions, level: null, alert: null, atMs: a.atMs };
}

/** How many probed devices a page names; the rest is "…". */
export const PROBE_NAMES = 3;

/** "This device is the site probe of 3 devices (printer-reception, ups-1, …); their state is unknown until it is back." */
export function probeRoleLine(probeOf: { count: number; hostnames: string[] }, kind: MessageKind): string {
  const names = probeOf.hostnames.slice(0, PROBE_NAMES);
  const list = `${names.join(', ')}${probeOf.count > names.length ? ', …' : ''}`;
  const devices = `${probeOf.count} device${probeOf.count === 1 ? '' : 's'} (${list})`;
  return kind === 'alert.resolved'
    ? `This device is the site probe of ${devices}; they are checked again.`
    : `This device is the site probe of ${devices}; their state is unknown until it is back.`;
}

/** A page (alert.firing) or follow-up (acknowledged, resolved) about an alert. */
export function buildAlertMessage(p: AlertNotificationPayload, kind: MessageKind, a: Addressing, level: number | null = null): NotificationMessage {
  const where = `on ${p.hostname} (${p.clientName})`;
  let title: string;
  const lines: string[] = [];
  if (kind === 'alert.acknowledged') {
    title = `[ACKNOWLEDGED] ${p.summary} ${where}`;
    lines.push(`Acknowledged by ${p.actor} at ${formatUtc(p.atMs)}; paging has stopped.`);
    if (p.note) lines.push(`Note: ${p.note}`);
  } else if (kind === 'alert.resolved') {
    title = `[RESOLVED] ${p.summary} ${where}`;
    lines.push(p.actor === 'system' ? `The problem cleared at ${formatUtc(p.atMs)}.` : `Resolved by ${p.actor} at ${formatUtc(p.atMs)}.`);
    if (p.note) lines.push(`Note: ${p.note}`);
    lines.push(`It was open for ${formatDuration(Math.max(0, p.atMs - p.openedAtMs))}.`);
  } else {
    title = `[${p.severity.toUpperCase()}] ${p.summary} ${where}`;
    lines.push(`${p.summary} ${where}, since ${formatUtc(p.openedAtMs)}.`);
    if (level !== null && level > 1) lines.push(`Escalated to level ${level}: not acknowledged for ${formatDuration(Math.max(0, a.atMs - p.atMs))}.`);
    if (p.isFlapping) lines.push('This problem is flapping: it opened 3 times within 15 minutes.');
    if (a.ackUrl) lines.push('Acknowledge with the link in this message to stop escalation.');
  }
  if (p.probeOf && p.probeOf.count > 0 && kind !== 'alert.acknowledged') lines.splice(1, 0, probeRoleLine(p.probeOf, kind));
  // Payloads queued before the metric was carried have none: their value is then only a detail.
  const metric = p.metric ?? null;
  const reading = p.value !== null && metric !== null ? formatMetricValue(metric, p.value) : null;
  const facts = [
    { name: 'Client', value: p.clientName },
    { name: 'Device', value: p.hostname },
    { name: 'Severity', value: p.severity },
    { name: 'Rule', value: p.ruleName },
    ...(reading !== null && metric !== null ? [{ name: labelMetric(metric, p.labels), value: reading }] : []),
    { name: 'Opened', value: formatUtc(p.openedAtMs) },
    ...(level !== null ? [{ name: 'Escalation level', value: String(level) }] : []),
    ...(p.probeOf && p.probeOf.count > 0 ? [{ name: 'Site probe of', value: `${p.probeOf.count} device${p.probeOf.count === 1 ? '' : 's'}` }] : []),
  ];
  const labels = Object.entries(p.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const details = [
    ...(metric !== null ? [{ name: 'Metric', value: metric }] : []),
    ...(labels ? [{ name: 'Labels', value: labels }] : []),
    ...(p.value !== null ? [{ name: 'Raw value', value: String(p.value) }] : []),
    { name: 'Rule id', value: p.ruleId },
    { name: 'Alert id', value: p.alertId },
  ];
  return {
    kind,
    idempotencyKey: a.idempotencyKey,
    severity: p.severity,
    title,
    lines,
    facts,
    details,
    ackUrl: a.ackUrl,
    viewUrl: a.viewUrl,
    to: a.to,
    mentions: a.mentions,
    level,
    alert: p,
    atMs: a.atMs,
  };
}

/** How many members a group message names one by one; the rest is a count. */
export const GROUP_LINES = 20;

/** "4 of 4 devices offline" for offline rules, `"Disk almost full" on 4 devices` otherwise. */
function groupHeadline(g: AlertGroupSummary, isOffline: boolean): string {
  const n = g.openCount;
  const devices = `${n} device${n === 1 ? '' : 's'}`;
  return isOffline ? `${n} of ${g.deviceCount} devices offline` : `"${g.ruleName}" on ${devices}`;
}

/**
 * A page or follow-up about a group of alerts: one outage. `leader` is the payload of the
 * alert that leads it (its severity, rule and ack link stand for the group).
 */
export function buildGroupMessage(
  g: AlertGroupSummary,
  leader: AlertNotificationPayload,
  kind: 'alert.firing' | 'alert.acknowledged' | 'alert.resolved',
  a: Addressing & { openedAtMs: number; actor?: string; isOffline: boolean },
): NotificationMessage {
  const isOffline = a.isOffline;
  const headline = groupHeadline(g, isOffline);
  let title: string;
  const lines: string[] = [];
  if (kind === 'alert.firing') {
    title = `[${leader.severity.toUpperCase()}] ${g.clientName}: ${headline}${isOffline && g.openCount > 1 ? ' — site or network down?' : ''}`;
    lines.push(
      `${g.openCount} alert${g.openCount === 1 ? '' : 's'} of "${g.ruleName}" at ${g.clientName} since ${formatUtc(a.openedAtMs)}; they are one group: one page, not one each.`,
    );
  } else if (kind === 'alert.acknowledged') {
    title = `[ACKNOWLEDGED] ${g.clientName}: ${headline}`;
    lines.push(`Acknowledged by ${a.actor ?? leader.actor} at ${formatUtc(a.atMs)}; paging has stopped for all ${g.memberCount} alerts of the group.`);
  } else {
    title = isOffline
      ? `[RESOLVED] ${g.clientName}: all ${g.memberCount} devices back online`
      : `[RESOLVED] ${g.clientName}: "${g.ruleName}" cleared on all ${g.memberCount} devices`;
    lines.push(`The last of them cleared at ${formatUtc(a.atMs)}; the group was open for ${formatDuration(Math.max(0, a.atMs - a.openedAtMs))}.`);
  }
  lines.push('');
  for (const d of g.devices.slice(0, GROUP_LINES))
    lines.push(`- ${d.hostname}: ${d.summary}${kind === 'alert.firing' && d.state === 'resolved' ? ' (cleared)' : ''}`);
  if (g.memberCount > GROUP_LINES) lines.push(`…and ${g.memberCount - GROUP_LINES} more.`);
  if (kind === 'alert.firing' && a.ackUrl) lines.push('', 'Acknowledge with the link in this message to stop escalation for the whole group.');
  return {
    kind,
    idempotencyKey: a.idempotencyKey,
    severity: leader.severity,
    title,
    lines,
    facts: [
      { name: 'Client', value: g.clientName },
      { name: 'Rule', value: g.ruleName },
      { name: 'Devices', value: isOffline ? `${g.openCount} of ${g.deviceCount} offline` : `${g.openCount} open of ${g.memberCount}` },
      { name: 'Opened', value: formatUtc(a.openedAtMs) },
    ],
    details: [
      { name: 'Group id', value: g.id },
      { name: 'Rule id', value: leader.ruleId },
      { name: 'Leading alert id', value: leader.alertId },
    ],
    ackUrl: a.ackUrl,
    viewUrl: a.viewUrl,
    to: a.to,
    mentions: a.mentions,
    level: null,
    alert: leader,
    group: g,
    atMs: a.atMs,
  };
}

/** The notice to admins that a message finally failed. */
export function buildDeadLetterMessage(
  dead: { id: number; title: string; channelName: string; channelType: string; recipient: string; attempts: number; error: string; severity: Severity },
  a: Addressing,
): NotificationMessage {
  return {
    kind: 'delivery.dead',
    idempotencyKey: a.idempotencyKey,
    severity: dead.severity === 'info' ? 'warning' : dead.severity,
    title: `[DELIVERY FAILED] ${dead.channelName} → ${dead.recipient}: ${dead.title}`,
    lines: [
      `A notification could not be delivered and was given up after ${dead.attempts} attempt${dead.attempts === 1 ? '' : 's'}.`,
      `Last error: ${dead.error}`,
      'Fix the channel, then retry the message from the Notifications page of the dashboard.',
    ],
    facts: [
      { name: 'Delivery', value: String(dead.id) },
      { name: 'Channel', value: `${dead.channelName} (${dead.channelType})` },
      { name: 'Recipient', value: dead.recipient },
    ],
    details: [{ name: 'Retry', value: `POST /api/notifications/${dead.id}/retry` }],
    ...notAboutAnAlert(a, []),
  };
}

/** A self-check of the server changed: it went bad (a page to the admins) or is ok again. */
export function buildSelfCheckMessage(
  check: { id: string; status: 'ok' | 'warning' | 'critical'; summary: string; sinceMs: number; previous: 'ok' | 'warning' | 'critical' | null },
  a: Addressing,
): NotificationMessage {
  const isOk = check.status === 'ok';
  const lines = isOk
    ? [`${check.summary}.`, `It was ${check.previous ?? 'failing'} until ${formatUtc(check.sinceMs)}.`]
    : [
        `${check.summary}.`,
        `Quarkpulse checks itself every minute; this has been ${check.status} since ${formatUtc(check.sinceMs)}. You are told again when it changes or clears.`,
        'Alerts of your clients may not reach anyone until it is fixed (docs/OPERATIONS.md, "Self-checks").',
      ];
  return {
    kind: isOk ? 'server.ok' : 'server.failing',
    idempotencyKey: a.idempotencyKey,
    severity: check.status === 'ok' ? 'info' : check.status,
    title: isOk ? `[SERVER OK] ${check.summary}` : `[SERVER ${check.status.toUpperCase()}] ${check.summary}`,
    lines,
    facts: [
      { name: 'Check', value: check.id },
      { name: 'Status', value: check.status },
      { name: 'Since', value: formatUtc(check.sinceMs) },
    ],
    details: [{ name: 'API', value: 'GET /api/system/checks' }],
    ...notAboutAnAlert(a),
  };
}

/** The daily summary of new break-fix incidents for the service desk. Not a page. */
export function buildDigestMessage(
  incidents: readonly Incident[],
  period: { fromMs: number; toMs: number; localDate: string },
  a: Addressing,
): NotificationMessage {
  const lines = [
    `${incidents.length} new break-fix incident${incidents.length === 1 ? '' : 's'} between ${formatUtc(period.fromMs)} and ${formatUtc(period.toMs)}.`,
    '',
  ];
  for (const i of incidents) {
    lines.push(`- ${i.clientName} / ${i.hostname ?? 'no device'}: ${i.title} (${i.severity}, ${i.state}, opened ${formatUtc(i.openedAtMs)})`);
  }
  lines.push('', 'These clients are break-fix: nothing was paged. Book time on the incidents when the client calls.');
  const byClient = new Map<string, number>();
  for (const i of incidents) byClient.set(i.clientName, (byClient.get(i.clientName) ?? 0) + 1);
  return {
    kind: 'digest',
    idempotencyKey: a.idempotencyKey,
    severity: 'info',
    title: `Break-fix digest ${period.localDate}: ${incidents.length} new incident${incidents.length === 1 ? '' : 's'}`,
    lines,
    facts: [...byClient].map(([name, n]) => ({ name, value: String(n) })),
    details: [],
    ...notAboutAnAlert(a, []),
  };
}

/** POST /api/channels/:id/test. */
export function buildTestMessage(channelName: string, by: string, a: Addressing): NotificationMessage {
  return {
    kind: 'test',
    idempotencyKey: a.idempotencyKey,
    severity: 'info',
    title: `Quarkpulse test message (${channelName})`,
    lines: [`${by} sent this test from Quarkpulse Monitor at ${formatUtc(a.atMs)}. If you can read it, the channel "${channelName}" works.`],
    facts: [{ name: 'Channel', value: channelName }],
    details: [],
    ...notAboutAnAlert(a),
  };
}

/** POST /api/oncall/test-page: a real page to oneself, through every contact point. */
export function buildTestPageMessage(username: string, channelName: string, a: Addressing): NotificationMessage {
  return {
    kind: 'test',
    idempotencyKey: a.idempotencyKey,
    severity: 'critical',
    title: `[TEST PAGE] Quarkpulse can reach ${username} (${channelName})`,
    lines: [
      `${username} asked for this test page at ${formatUtc(a.atMs)}. A real alert reaches you the same way, through "${channelName}".`,
      'Nothing is wrong; there is nothing to acknowledge.',
    ],
    facts: [
      { name: 'Person', value: username },
      { name: 'Channel', value: channelName },
    ],
    details: [],
    ...notAboutAnAlert(a),
  };
}
