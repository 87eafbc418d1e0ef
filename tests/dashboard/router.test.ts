/** The hash router's pure half: every route the dashboard has, and the links that lead to them. */
import { describe, expect, it } from 'vitest';
import { alertHref, clientHref, deviceHref, href, incidentHref, parseHash, type Route } from '../../dashboard/src/lib/router.js';

describe('parseHash', () => {
  const cases: [string, Route][] = [
    ['', { name: 'fleet' }],
    ['#', { name: 'fleet' }],
    ['#/', { name: 'fleet' }],
    ['#/devices/dev-1', { name: 'device', deviceId: 'dev-1' }],
    ['#/alerts', { name: 'alerts', state: null }],
    ['#/alerts?state=resolved', { name: 'alerts', state: 'resolved' }],
    ['#/alerts/a1', { name: 'alert', alertId: 'a1' }],
    ['#/incidents?state=billed', { name: 'incidents', state: 'billed' }],
    ['#/incidents/i1', { name: 'incident', incidentId: 'i1' }],
    ['#/billing', { name: 'billing', clientId: null, month: null }],
    ['#/billing?client=c1&month=2026-03', { name: 'billing', clientId: 'c1', month: '2026-03' }],
    ['#/clients', { name: 'clients' }],
    ['#/clients/c1', { name: 'client', clientId: 'c1' }],
    ['#/rules', { name: 'rules' }],
    ['#/maintenance', { name: 'maintenance' }],
    ['#/oncall', { name: 'oncall' }],
    ['#/channels', { name: 'channels' }],
    ['#/audit', { name: 'audit', actor: null, entityType: null, entityId: null }],
    ['#/audit?actor=admin&entityType=device&entityId=d1', { name: 'audit', actor: 'admin', entityType: 'device', entityId: 'd1' }],
    ['#/users', { name: 'users' }],
    ['#/account', { name: 'account' }],
    ['#/notifications', { name: 'notifications' }],
    ['#/login', { name: 'login' }],
    // A trailing slash and doubled slashes name the same page.
    ['#/alerts/', { name: 'alerts', state: null }],
    ['#//clients//c1', { name: 'client', clientId: 'c1' }],
    // Not a page.
    ['#/nope', { name: 'not-found', path: '/nope' }],
    ['#/devices', { name: 'not-found', path: '/devices' }],
    ['#/devices/a/b', { name: 'not-found', path: '/devices/a/b' }],
    ['#/Alerts', { name: 'not-found', path: '/Alerts' }],
  ];
  for (const [hash, route] of cases) {
    it(`${JSON.stringify(hash)} → ${route.name}`, () => {
      expect(parseHash(hash)).toEqual(route);
    });
  }

  it('decodes a captured segment', () => {
    expect(parseHash('#/devices/a%2Fb%20c')).toEqual({ name: 'device', deviceId: 'a/b c' });
  });
});

describe('links', () => {
  const odd = ['plain', 'a/b', 'with space', 'q?x=1&y=2', '#hash', 'ünï', '%41'];
  for (const id of odd) {
    it(`round-trips the id ${JSON.stringify(id)}`, () => {
      expect(parseHash(deviceHref(id))).toEqual({ name: 'device', deviceId: id });
      expect(parseHash(alertHref(id))).toEqual({ name: 'alert', alertId: id });
      expect(parseHash(incidentHref(id))).toEqual({ name: 'incident', incidentId: id });
      expect(parseHash(clientHref(id))).toEqual({ name: 'client', clientId: id });
    });
  }

  it('href keeps only the defined query values', () => {
    expect(href('/alerts')).toBe('#/alerts');
    expect(href('/alerts', { state: 'resolved' })).toBe('#/alerts?state=resolved');
    expect(href('/billing', { client: 'c 1&2', month: null, x: undefined, y: '' })).toBe('#/billing?client=c+1%262');
    expect(parseHash(href('/billing', { client: 'c 1&2', month: '2026-03' }))).toEqual({ name: 'billing', clientId: 'c 1&2', month: '2026-03' });
  });
});
