/** One page per outage: the grouping decisions, table by table (server/alerting/policy/grouping.ts). */
import { describe, expect, it } from 'vitest';
import { decideClosing, decideFiring, followUpAtAfterJoin, type GroupFacts } from '../../server/alerting/policy/grouping.js';

const W = 60_000;
const T = 1_000_000;

const group = (over: Partial<GroupFacts> = {}): GroupFacts => ({
  id: 'g1',
  clientId: 'jansen',
  ruleId: 'default-offline',
  state: 'firing',
  leaderAlertId: 'a1',
  lastJoinedAtMs: T,
  members: [{ alertId: 'a1', deviceId: 'd1', isOpen: true }],
  ...over,
});
const firing = (over: Partial<Parameters<typeof decideFiring>[0]> = {}) => ({
  alertId: 'a2',
  clientId: 'jansen',
  ruleId: 'default-offline',
  deviceId: 'd2',
  firedAtMs: T + 10_000,
  parent: null,
  ...over,
});

describe('decideFiring', () => {
  it.each([
    ['no group yet: pages at once', [], firing(), W, { action: 'page' }],
    ['same client and rule within the window: joins', [group()], firing(), W, { action: 'join', groupId: 'g1' }],
    ['exactly at the window edge: joins', [group()], firing({ firedAtMs: T + W }), W, { action: 'join', groupId: 'g1' }],
    ['after the window: pages', [group()], firing({ firedAtMs: T + W + 1 }), W, { action: 'page' }],
    ['another client: pages', [group()], firing({ clientId: 'bakker' }), W, { action: 'page' }],
    ['another rule: pages', [group()], firing({ ruleId: 'default-disk' }), W, { action: 'page' }],
    ['the group was acknowledged: pages (no hiding behind an ack)', [group({ state: 'acknowledged' })], firing(), W, { action: 'page' }],
    ['the group resolved: pages', [group({ state: 'resolved' })], firing(), W, { action: 'page' }],
    ['grouping off (window 0): pages', [group()], firing(), 0, { action: 'page' }],
    ['window slides with the last member', [group({ lastJoinedAtMs: T + 50_000 })], firing({ firedAtMs: T + 100_000 }), W, { action: 'join', groupId: 'g1' }],
    ['of two open groups, the one joined last', [group(), group({ id: 'g2', lastJoinedAtMs: T + 5_000 })], firing(), W, { action: 'join', groupId: 'g2' }],
    [
      'already a member (replayed job): stays in its group',
      [group({ members: [{ alertId: 'a2', deviceId: 'd2', isOpen: true }], lastJoinedAtMs: 0 })],
      firing(),
      W,
      { action: 'join', groupId: 'g1' },
    ],
    [
      'parent down: suppressed, even with a group to join',
      [group()],
      firing({ parent: { deviceId: 'fw', hostname: 'jansen-fw01', isDown: true } }),
      W,
      { action: 'suppress', parentDeviceId: 'fw', parentHostname: 'jansen-fw01' },
    ],
    ['the same device already open in the group (a second disk full): pages', [group()], firing({ deviceId: 'd1' }), W, { action: 'page' }],
    [
      'the same device, its earlier alert cleared: joins',
      [group({ members: [{ alertId: 'a1', deviceId: 'd1', isOpen: false }] })],
      firing({ deviceId: 'd1' }),
      W,
      { action: 'join', groupId: 'g1' },
    ],
    [
      'parent up: grouped as usual',
      [group()],
      firing({ parent: { deviceId: 'fw', hostname: 'jansen-fw01', isDown: false } }),
      W,
      { action: 'join', groupId: 'g1' },
    ],
    [
      'parent down with grouping off: still suppressed',
      [],
      firing({ parent: { deviceId: 'fw', hostname: 'fw', isDown: true } }),
      0,
      { action: 'suppress', parentDeviceId: 'fw', parentHostname: 'fw' },
    ],
  ] as const)('%s', (_name, groups, alert, windowMs, expected) => {
    expect(decideFiring(alert, groups, windowMs)).toEqual(expected);
  });

  it('hundreds of devices within the window all join the one group', () => {
    let g = group();
    for (let i = 2; i <= 400; i++) {
      const d = decideFiring(firing({ alertId: `a${i}`, deviceId: `d${i}`, firedAtMs: T + i * 100 }), [g], W);
      expect(d).toEqual({ action: 'join', groupId: 'g1' });
      g = { ...g, lastJoinedAtMs: T + i * 100, members: [...g.members, { alertId: `a${i}`, deviceId: `d${i}`, isOpen: true }] };
    }
    expect(g.members).toHaveLength(400);
  });
});

describe('followUpAtAfterJoin', () => {
  it.each([
    ['first member: one window after the group opened', { nextFollowUpAtMs: null, lastAnnouncedAtMs: T }, T + 5_000, T + W],
    ['a follow-up already due stays due (no pushing it back)', { nextFollowUpAtMs: T + W, lastAnnouncedAtMs: T }, T + 50_000, T + W],
    ['joining after the window of the last announcement: due at once', { nextFollowUpAtMs: null, lastAnnouncedAtMs: T }, T + 2 * W, T + 2 * W],
    ['after a follow-up: a window after it', { nextFollowUpAtMs: null, lastAnnouncedAtMs: T + W }, T + W + 1_000, T + 2 * W],
  ] as const)('%s', (_name, g, joinedAtMs, expected) => {
    expect(followUpAtAfterJoin(g, joinedAtMs, W)).toBe(expected);
  });
});

describe('decideClosing', () => {
  const three = (open: [boolean, boolean, boolean], over: Partial<GroupFacts> = {}) =>
    group({
      members: [
        { alertId: 'a1', deviceId: 'd1', isOpen: open[0] },
        { alertId: 'a2', deviceId: 'd2', isOpen: open[1] },
        { alertId: 'a3', deviceId: 'd3', isOpen: open[2] },
      ],
      ...over,
    });
  it.each([
    ['not in a group: alone', undefined, 'a1', 'resolved', { action: 'alone' }],
    ['a group of one: alone', group(), 'a1', 'resolved', { action: 'alone' }],
    ['a group of one acknowledged: alone', group(), 'a1', 'acknowledged', { action: 'alone' }],
    ['a member clears, others open: folded', three([true, false, true]), 'a2', 'resolved', { action: 'fold', handOverTo: null }],
    ['the leader clears, others open: folded, escalation handed over', three([false, true, true]), 'a1', 'resolved', { action: 'fold', handOverTo: 'a2' }],
    ['the last one clears: the group resolves', three([false, false, false]), 'a3', 'resolved', { action: 'resolve-group' }],
    [
      'the last one clears of an acknowledged group: the group resolves',
      three([false, false, false], { state: 'acknowledged' }),
      'a2',
      'resolved',
      { action: 'resolve-group' },
    ],
    ['a closing member still shown open is not counted', three([false, false, true]), 'a3', 'resolved', { action: 'resolve-group' }],
    ['the leader is acknowledged: the group is', three([true, true, true]), 'a1', 'acknowledged', { action: 'acknowledge-group' }],
    ['a member is acknowledged alone: folded', three([true, true, true]), 'a2', 'acknowledged', { action: 'fold', handOverTo: null }],
    [
      'the leader of an acknowledged group: folded (no second ack message)',
      three([true, true, true], { state: 'acknowledged' }),
      'a1',
      'acknowledged',
      { action: 'fold', handOverTo: null },
    ],
    [
      'an already resolved group: nothing more to say',
      three([false, false, false], { state: 'resolved' }),
      'a1',
      'resolved',
      { action: 'fold', handOverTo: null },
    ],
  ] as const)('%s', (_name, g, alertId, kind, expected) => {
    expect(decideClosing(g, alertId, kind)).toEqual(expected);
  });
});
