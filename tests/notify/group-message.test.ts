/** The words of a page about an outage (server/notify/message.ts buildGroupMessage): a count, not hundreds of lines. */
import { describe, expect, it } from 'vitest';
import { buildGroupMessage, GROUP_LINES } from '../../server/notify/message.js';
import type { AlertGroupSummary, AlertNotificationPayload } from '../../shared/notification-message.js';

const leader: AlertNotificationPayload = {
  kind: 'alert.firing',
  alertId: 'a1',
  state: 'firing',
  severity: 'critical',
  ruleId: 'default-offline',
  ruleName: 'Device offline',
  metric: null,
  summary: 'Offline: no report for 31 s (one expected every 10 s)',
  clientId: 'c1',
  clientName: 'Jansen Accountants',
  deviceId: 'd1',
  hostname: 'jansen-pc001',
  labels: {},
  value: null,
  isFlapping: false,
  openedAtMs: Date.UTC(2026, 11, 4, 2, 0),
  atMs: Date.UTC(2026, 11, 4, 2, 0),
  actor: 'system',
  note: null,
};
const group = (n: number, open = n): AlertGroupSummary => ({
  id: 'g1',
  clientName: 'Jansen Accountants',
  ruleName: 'Device offline',
  openCount: open,
  memberCount: n,
  deviceCount: n,
  devices: Array.from({ length: Math.min(n, 100) }, (_, i) => ({
    alertId: `a${i + 1}`,
    deviceId: `d${i + 1}`,
    hostname: `jansen-pc${String(i + 1).padStart(3, '0')}`,
    state: i < open ? 'firing' : 'resolved',
    summary: leader.summary,
  })),
});
const addressing = {
  idempotencyKey: 'k',
  to: null,
  mentions: [],
  ackUrl: 'https://monitor.example.com/ack/x',
  viewUrl: null,
  atMs: leader.atMs,
  openedAtMs: leader.openedAtMs,
  isOffline: true,
};

describe('buildGroupMessage', () => {
  it('keeps a group of 400 devices to one page with a count', () => {
    const m = buildGroupMessage(group(400), leader, 'alert.firing', addressing);
    expect(m.title).toBe('[CRITICAL] Jansen Accountants: 400 of 400 devices offline — site or network down?');
    const listed = m.lines.filter((l) => l.startsWith('- '));
    expect(listed).toHaveLength(GROUP_LINES);
    expect(m.lines).toContain(`…and ${400 - GROUP_LINES} more.`);
    expect(m.group!.devices).toHaveLength(100);
    expect(m.group!.memberCount).toBe(400);
    expect(m.ackUrl).toBe('https://monitor.example.com/ack/x');
    expect(m.lines.at(-1)).toBe('Acknowledge with the link in this message to stop escalation for the whole group.');
  });

  it('says what the group is for other rules, and how it ended', () => {
    const disk = { ...leader, ruleName: 'Filesystem almost full', metric: 'fs.usedPct', summary: 'C: 96 % full' };
    const g = { ...group(3), ruleName: 'Filesystem almost full' };
    expect(buildGroupMessage(g, disk, 'alert.firing', { ...addressing, isOffline: false }).title).toBe(
      '[CRITICAL] Jansen Accountants: "Filesystem almost full" on 3 devices',
    );
    expect(buildGroupMessage(g, disk, 'alert.resolved', { ...addressing, isOffline: false, ackUrl: null }).title).toBe(
      '[RESOLVED] Jansen Accountants: "Filesystem almost full" cleared on all 3 devices',
    );
    const acked = buildGroupMessage(group(10), leader, 'alert.acknowledged', { ...addressing, ackUrl: null, actor: 'piet' });
    expect(acked.title).toBe('[ACKNOWLEDGED] Jansen Accountants: 10 of 10 devices offline');
    expect(acked.lines[0]).toBe('Acknowledged by piet at 2026-12-04 02:00 UTC; paging has stopped for all 10 alerts of the group.');
  });
});
