/**
 * The REST surface of rules, clients, devices, maintenance, alerts and incidents on a real
 * server: precise 400s for bad input (and nothing written), permissions, and every action
 * recorded with who and when.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';
import { startTestAgent, type TestAgent } from '../helpers/test-agent.js';
import { hashPassword } from '../../server/lib/secrets.js';
import { DEFAULT_RULES } from '../../server/alerting/policy/defaults.js';

describe('rules, clients, maintenance, alerts and incidents over REST', () => {
  let t: TestServer;
  let api: ApiClient;
  const agents: TestAgent[] = [];

  beforeEach(async () => {
    t = await startTestServer();
    api = new ApiClient(t.url);
    await api.login();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) a.close();
    await t.close();
  });

  async function loginAs(role: 'technician' | 'viewer'): Promise<ApiClient> {
    const password = `${role}-password-123`;
    t.server.ctx.users.create({ username: role, passwordHash: await hashPassword(password), role }, Date.now());
    const c = new ApiClient(t.url);
    await c.login(role, password);
    return c;
  }
  const count = (table: string) => (t.server.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  describe('/api/rules', () => {
    it('ships the default rule set, enabled and global', async () => {
      const r = await api.get('/api/rules');
      expect(r.status).toBe(200);
      expect(r.json.map((x: { id: string }) => x.id).sort()).toEqual(DEFAULT_RULES.map((d) => d.id).sort());
      expect(r.json.find((x: { id: string }) => x.id === 'default-cpu-high')).toMatchObject({
        kind: 'threshold',
        metric: 'cpu.loadPct',
        op: 'above',
        threshold: 90,
        clearThreshold: 80,
        forMs: 300_000,
        isEnabled: true,
        isDefault: true,
        scope: { type: 'global' },
      });
      expect(r.json.find((x: { id: string }) => x.id === 'default-offline')).toMatchObject({ kind: 'offline', missedIntervals: 3 });
    });

    const bad: [string, object, string, string][] = [
      [
        'unknown metric',
        { name: 'x', kind: 'threshold', metric: 'cpu.magic', op: 'above', threshold: 1 },
        'RULE_UNKNOWN_METRIC',
        'unknown metric "cpu.magic"; see the metric list in docs/PROTOCOL.md',
      ],
      [
        'negative duration',
        { name: 'x', kind: 'threshold', metric: 'cpu.loadPct', op: 'above', threshold: 80, forMs: -5 },
        'RULE_INVALID_DURATION',
        'forMs must be a whole number of milliseconds in 0–2592000000; got -5',
      ],
      [
        'clear threshold on the wrong side',
        { name: 'x', kind: 'threshold', metric: 'cpu.loadPct', op: 'above', threshold: 80, clearThreshold: 85 },
        'RULE_CLEAR_THRESHOLD_WRONG_SIDE',
        'an "above" rule clears below its threshold: clearThreshold (85) must be ≤ threshold (80)',
      ],
      [
        'unknown kind',
        { name: 'x', kind: 'anomaly' },
        'RULE_UNKNOWN_KIND',
        'kind must be one of threshold, offline, forecast, service-down, printer-error, smart-failing; got "anomaly"',
      ],
      ['no name', { kind: 'offline', missedIntervals: 2 }, 'RULE_MISSING_FIELD', 'a rule needs a name'],
      [
        'unknown client in scope',
        { name: 'x', kind: 'offline', missedIntervals: 2, scope: { type: 'client', clientId: 'nope' } },
        'CLIENT_NOT_FOUND',
        'scope.clientId: no client with id nope',
      ],
      [
        'override of an unknown rule',
        { overridesRuleId: 'nope', scope: { type: 'client', clientId: 'x' } },
        'RULE_OVERRIDE_TARGET_NOT_FOUND',
        'overridesRuleId: no rule with id nope',
      ],
      [
        'override at global scope',
        { overridesRuleId: 'default-cpu-high', threshold: 95 },
        'RULE_OVERRIDE_SCOPE',
        'an override needs a narrower scope than the global rule it overrides (client or device for a global rule, device for a client rule)',
      ],
      [
        'unknown severity',
        { name: 'x', kind: 'offline', missedIntervals: 2, severity: 'apocalyptic' },
        'VALIDATION_FAILED',
        'body.severity: Invalid option: expected one of "info"|"warning"|"critical"',
      ],
      ['unknown field', { name: 'x', kind: 'offline', missedIntervals: 2, colour: 'red' }, 'VALIDATION_FAILED', 'body: Unrecognized key: "colour"'],
    ];
    it.each(bad)('refuses %s with 400 and writes nothing', async (_name, body, code, message) => {
      const before = count('rules');
      const r = await api.post('/api/rules', body);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({ error: { code, message } });
      expect(count('rules')).toBe(before);
    });

    it('creates client overrides that inherit, shows effective rules, and refuses duplicates', async () => {
      const dev = await enrollTestDevice(api, { clientName: 'Acme', contract: 'monthly' });
      const created = await api.post('/api/rules', {
        overridesRuleId: 'default-cpu-high',
        scope: { type: 'client', clientId: dev.clientId },
        threshold: 97,
        clearThreshold: 92,
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        name: 'CPU load high',
        kind: 'threshold',
        metric: 'cpu.loadPct',
        threshold: 97,
        clearThreshold: 92,
        forMs: 300_000,
        overridesRuleId: 'default-cpu-high',
        updatedBy: 'admin',
      });
      const effective = (await api.get(`/api/rules/effective?device=${dev.deviceId}`)).json;
      expect(effective.find((e: { familyId: string }) => e.familyId === 'default-cpu-high').rule.id).toBe(created.json.id);
      const again = await api.post('/api/rules', { overridesRuleId: 'default-cpu-high', scope: { type: 'client', clientId: dev.clientId }, threshold: 99 });
      expect(again.status).toBe(409);
      expect(again.json.error).toEqual({
        code: 'RULE_OVERRIDE_EXISTS',
        message: `rule default-cpu-high already has an override for this scope: ${created.json.id}; change that one`,
      });
      const wrongMetric = await api.post('/api/rules', {
        overridesRuleId: 'default-cpu-high',
        scope: { type: 'device', deviceId: dev.deviceId },
        metric: 'mem.usedPct',
      });
      expect(wrongMetric.json.error.code).toBe('RULE_OVERRIDE_METRIC_MISMATCH');
    });

    it('changes, disables and deletes rules; default rules cannot be deleted', async () => {
      const patched = await api.request('PATCH', '/api/rules/default-memory-high', { threshold: 95, forMs: 600_000 });
      expect(patched.status).toBe(200);
      expect(patched.json).toMatchObject({ threshold: 95, clearThreshold: 85, forMs: 600_000 });
      const wrongSide = await api.request('PATCH', '/api/rules/default-memory-high', { clearThreshold: 99 });
      expect(wrongSide.json.error.code).toBe('RULE_CLEAR_THRESHOLD_WRONG_SIDE');
      expect((await api.get('/api/rules/default-memory-high')).json.clearThreshold).toBe(85);
      const kind = await api.request('PATCH', '/api/rules/default-memory-high', { kind: 'offline' });
      expect(kind.json.error.code).toBe('RULE_KIND_IMMUTABLE');
      expect((await api.request('PATCH', '/api/rules/default-offline', { isEnabled: false })).json.isEnabled).toBe(false);
      const del = await api.request('DELETE', '/api/rules/default-offline');
      expect(del.status).toBe(409);
      expect(del.json.error.code).toBe('RULE_IS_DEFAULT');
      const own = await api.post('/api/rules', { name: 'Printer jam', kind: 'printer-error', labels: { printer: 'HP-2' }, severity: 'info' });
      expect(own.status).toBe(201);
      expect(own.json).toMatchObject({ metric: 'printer.hasError', labels: { printer: 'HP-2' }, severity: 'info', isDefault: false });
      expect((await api.request('DELETE', `/api/rules/${own.json.id}`)).status).toBe(204);
      expect((await api.get(`/api/rules/${own.json.id}`)).json.error.code).toBe('RULE_NOT_FOUND');
    });

    it('lets technicians edit client rules but not global ones, and viewers only read', async () => {
      const dev = await enrollTestDevice(api, { clientName: 'Acme', contract: 'monthly' });
      const tech = await loginAs('technician');
      const global = await tech.post('/api/rules', { name: 'x', kind: 'offline', missedIntervals: 5 });
      expect(global.status).toBe(403);
      expect(global.json.error.code).toBe('FORBIDDEN');
      expect(
        (await tech.post('/api/rules', { overridesRuleId: 'default-offline', scope: { type: 'client', clientId: dev.clientId }, missedIntervals: 10 })).status,
      ).toBe(201);
      const viewer = await loginAs('viewer');
      expect((await viewer.get('/api/rules')).status).toBe(200);
      expect((await viewer.post('/api/rules', { name: 'x', kind: 'offline', missedIntervals: 5 })).status).toBe(403);
    });
  });

  describe('/api/clients and /api/devices', () => {
    it('validates contracts precisely and applies changes', async () => {
      const weekly = await api.post('/api/clients', { name: 'Weekly BV', contract: 'weekly' });
      expect(weekly.status).toBe(400);
      expect(weekly.json.error).toEqual({ code: 'CONTRACT_INVALID', message: 'body.contract: contract must be "monthly" or "break-fix"' });
      const c = await api.post('/api/clients', {
        name: 'Visser',
        contract: 'break-fix',
        hourlyRate: 75,
        timezone: 'Europe/Amsterdam',
        contact: 'jan@visser.nl',
      });
      expect(c.json).toMatchObject({ contract: 'break-fix', currency: 'EUR', monthlyFee: 0, hourlyRate: 75, timezone: 'Europe/Amsterdam' });
      const patched = await api.request('PATCH', `/api/clients/${c.json.id}`, { contract: 'monthly', monthlyFee: 350 });
      expect(patched.json).toMatchObject({ contract: 'monthly', monthlyFee: 350, hourlyRate: 75, contact: 'jan@visser.nl' });
      const badTz = await api.request('PATCH', `/api/clients/${c.json.id}`, { timezone: 'Mars/Olympus' });
      expect(badTz.json.error).toEqual({ code: 'VALIDATION_FAILED', message: 'body.timezone: must be an IANA time zone such as Europe/Amsterdam' });
      expect((await api.request('PATCH', '/api/clients/nope', { monthlyFee: 1 })).status).toBe(404);
      expect((await api.request('DELETE', `/api/clients/${c.json.id}`)).status).toBe(204);
    });

    it('moves a device to another client, and refuses to delete a client that has devices', async () => {
      const dev = await enrollTestDevice(api, { clientName: 'Old', contract: 'monthly' });
      const other = await api.post('/api/clients', { name: 'New', contract: 'break-fix' });
      const moved = await api.request('PATCH', `/api/devices/${dev.deviceId}`, { clientId: other.json.id });
      expect(moved.status).toBe(200);
      expect(moved.json).toMatchObject({ id: dev.deviceId, clientId: other.json.id, clientName: 'New', contract: 'break-fix' });
      expect((await api.request('PATCH', `/api/devices/${dev.deviceId}`, { clientId: 'nope' })).json.error).toEqual({
        code: 'CLIENT_NOT_FOUND',
        message: 'body.clientId: no client with id nope',
      });
      const del = await api.request('DELETE', `/api/clients/${other.json.id}`);
      expect(del.status).toBe(409);
      expect(del.json.error.code).toBe('CLIENT_IN_USE');
    });
  });

  describe('/api/maintenance', () => {
    it('creates windows in the client time zone and refuses empty, inverted and overlapping ones', async () => {
      const c = (await api.post('/api/clients', { name: 'Visser', contract: 'monthly', timezone: 'Europe/Amsterdam' })).json;
      const sunday = {
        kind: 'recurring',
        name: 'Sunday patches',
        scope: { type: 'client', clientId: c.id },
        daysOfWeek: ['sun'],
        startTime: '02:00',
        endTime: '04:00',
      };
      const created = await api.post('/api/maintenance', sunday);
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ ...sunday, timezone: 'Europe/Amsterdam', isActiveNow: expect.any(Boolean), createdBy: 'admin' });

      const refusals: [object, string, string][] = [
        [
          { ...sunday, startTime: '04:00', endTime: '04:00' },
          'MAINTENANCE_EMPTY',
          'endTime (04:00) equals startTime: give the end; an end before the start (22:00–04:00) runs into the next day',
        ],
        [{ ...sunday, startTime: '24:00', endTime: '02:00' }, 'VALIDATION_FAILED', 'body.startTime: a window starts at 00:00–23:59; 24:00 is only an end'],
        // Saturday 23:00 → Sunday 02:30 reaches into Sunday 02:00–04:00.
        [
          { ...sunday, name: 'Saturday night', daysOfWeek: ['sat'], startTime: '23:00', endTime: '02:30' },
          'MAINTENANCE_OVERLAP',
          `overlaps maintenance window "Sunday patches" (${created.json.id}) of the same client; change or delete that one`,
        ],
        [
          { kind: 'one-off', name: 'x', scope: { type: 'client', clientId: c.id }, startsAtMs: 2_000_000, endsAtMs: 1_000_000 },
          'MAINTENANCE_INVERTED',
          'endsAtMs (1000000) must be after startsAtMs (2000000)',
        ],
        [
          { ...sunday, name: 'Overlap', daysOfWeek: ['sat', 'sun'], startTime: '03:00', endTime: '05:00' },
          'MAINTENANCE_OVERLAP',
          `overlaps maintenance window "Sunday patches" (${created.json.id}) of the same client; change or delete that one`,
        ],
        // Sunday 2025-07-13 01:00–02:00 UTC is 03:00–04:00 in Amsterdam.
        [
          {
            kind: 'one-off',
            name: 'Move',
            scope: { type: 'client', clientId: c.id },
            startsAtMs: Date.parse('2025-07-13T01:00:00Z'),
            endsAtMs: Date.parse('2025-07-13T02:00:00Z'),
          },
          'MAINTENANCE_OVERLAP',
          `overlaps maintenance window "Sunday patches" (${created.json.id}) of the same client; change or delete that one`,
        ],
        [{ ...sunday, scope: { type: 'client', clientId: 'nope' } }, 'CLIENT_NOT_FOUND', 'scope.clientId: no client with id nope'],
        [{ ...sunday, startTime: '25:00' }, 'VALIDATION_FAILED', 'body.startTime: must be a local time HH:MM (00:00–24:00)'],
      ];
      for (const [body, code, message] of refusals) {
        const r = await api.post('/api/maintenance', body);
        expect(r.status, code).toBe(400);
        expect(r.json.error).toEqual({ code, message });
      }
      expect(count('maintenance_windows')).toBe(1);

      // Adjacent windows and windows of another scope are fine.
      expect((await api.post('/api/maintenance', { ...sunday, name: 'After', startTime: '04:00', endTime: '05:00' })).status).toBe(201);
      expect((await api.get(`/api/maintenance?client=${c.id}`)).json).toHaveLength(2);
      expect((await api.request('DELETE', `/api/maintenance/${created.json.id}`)).status).toBe(204);
      expect((await api.get(`/api/maintenance/${created.json.id}`)).json.error.code).toBe('MAINTENANCE_NOT_FOUND');
    });
  });

  describe('/api/alerts and /api/incidents actions', () => {
    async function firingAlert() {
      const dev = await enrollTestDevice(api, { clientName: 'Acme', contract: 'monthly', hostname: 'acme-1' });
      const agent = await startTestAgent(t.url, dev.deviceToken);
      agents.push(agent);
      await agent.report([{ name: 'fs.usedPct', labels: { mount: 'C:' }, value: 99 }]);
      const [alert] = (await api.get('/api/alerts?state=firing')).json;
      return { dev, agent, alert };
    }

    it('filters alerts and records who acknowledged, assigned, commented and resolved', async () => {
      const { dev, alert } = await firingAlert();
      await t.server.ctx.notify.tick(); // the on-call module pages (nobody reachable here, not even the fallback) and records it
      expect(alert).toMatchObject({ severity: 'critical', labels: { mount: 'C:' } });
      expect((await api.get('/api/alerts?severity=warning')).json).toEqual([]);
      expect((await api.get(`/api/alerts?device=${dev.deviceId}&severity=critical`)).json).toHaveLength(1);
      expect((await api.get('/api/alerts?state=sleeping')).json.error.code).toBe('VALIDATION_FAILED');

      const tech = await loginAs('technician');
      expect((await tech.post(`/api/alerts/${alert.id}/acknowledge`)).status).toBe(200);
      const twice = await tech.post(`/api/alerts/${alert.id}/acknowledge`);
      expect(twice.status).toBe(409);
      expect(twice.json.error).toEqual({ code: 'ALERT_NOT_FIRING', message: `alert ${alert.id} is acknowledged; only a firing alert can be acknowledged` });
      expect((await tech.post(`/api/alerts/${alert.id}/assign`, { assignee: 'ghost' })).json.error.code).toBe('USER_NOT_FOUND');
      expect((await tech.post(`/api/alerts/${alert.id}/assign`, { assignee: 'technician' })).json.assignee).toBe('technician');
      expect((await tech.post(`/api/alerts/${alert.id}/comments`, { text: 'disk replaced tomorrow' })).status).toBe(201);
      const resolved = await tech.post(`/api/alerts/${alert.id}/resolve`, { note: 'archived old logs' });
      expect(resolved.json).toMatchObject({ state: 'resolved', resolution: 'manual', resolvedBy: 'technician' });
      expect(
        resolved.json.events.map((e: { actor: string; action: string; detail: string | null; atMs: number }) => [e.actor, e.action, e.detail, typeof e.atMs]),
      ).toEqual([
        ['system', 'fired', 'C: 99 % full (notification queued)', 'number'],
        [
          'system',
          'paged',
          'unrouted: level 1 reached nobody — admin has no contact point and no email address; the fallback reached nobody too — admin has no contact point and no email address',
          'number',
        ],
        ['technician', 'acknowledged', null, 'number'],
        ['technician', 'assigned', 'technician', 'number'],
        ['technician', 'commented', 'disk replaced tomorrow', 'number'],
        ['technician', 'resolved', 'archived old logs', 'number'],
      ]);
      expect((await tech.post(`/api/alerts/${alert.id}/resolve`)).json.error.code).toBe('ALERT_ALREADY_RESOLVED');
      expect(t.server.ctx.alerting.outbox.list().map((j) => j.kind)).toEqual(['alert.firing', 'alert.acknowledged', 'alert.resolved']);

      const viewer = await loginAs('viewer');
      expect((await viewer.get(`/api/alerts/${alert.id}`)).status).toBe(200);
      expect((await viewer.post(`/api/alerts/${alert.id}/comments`, { text: 'hi' })).status).toBe(403);
      expect((await api.get('/api/alerts/nope')).json.error.code).toBe('ALERT_NOT_FOUND');
    });

    it('walks an incident open → closed → billed, with time entries that freeze once billed', async () => {
      const dev = await enrollTestDevice(api, { clientName: 'Bakker', contract: 'break-fix' });
      const opened = await api.post('/api/incidents', { clientId: dev.clientId, deviceId: dev.deviceId, title: 'Printer offline', severity: 'warning' });
      expect(opened.status).toBe(201);
      const id = opened.json.id;
      expect(opened.json).toMatchObject({ source: 'manual', state: 'open', title: 'Printer offline', bookedMinutes: 0 });
      const badTime: [object, string][] = [
        [{ minutes: 0 }, 'body.minutes: Too small: expected number to be >=1'],
        [{ minutes: 1.5 }, 'body.minutes: minutes must be a whole number'],
        [{ minutes: 30, date: '2025-02-30' }, 'body.date: must be a calendar date YYYY-MM-DD'],
      ];
      for (const [body, message] of badTime)
        expect((await api.post(`/api/incidents/${id}/time-entries`, body)).json.error).toEqual({ code: 'VALIDATION_FAILED', message });
      const entry = (await api.post(`/api/incidents/${id}/time-entries`, { minutes: 30, date: '2025-03-03' })).json;
      const early = await api.post(`/api/incidents/${id}/bill`);
      expect(early.status).toBe(409);
      expect(early.json.error.code).toBe('INCIDENT_NOT_CLOSED');
      expect((await api.post(`/api/incidents/${id}/close`, { note: 'toner replaced' })).json).toMatchObject({ state: 'closed', closure: 'manual' });
      expect((await api.post(`/api/incidents/${id}/close`)).json.error.code).toBe('INCIDENT_NOT_OPEN');
      expect((await api.post(`/api/incidents/${id}/bill`)).json.state).toBe('billed');
      expect((await api.post(`/api/incidents/${id}/bill`)).json.error.code).toBe('INCIDENT_ALREADY_BILLED');
      expect((await api.post(`/api/incidents/${id}/time-entries`, { minutes: 15 })).json.error.code).toBe('INCIDENT_BILLED');
      expect((await api.request('DELETE', `/api/incidents/${id}/time-entries/${entry.id}`)).json.error.code).toBe('INCIDENT_BILLED');
      const detail = (await api.get(`/api/incidents/${id}`)).json;
      expect(detail.timeEntries).toEqual([entry]);
      expect(detail.events.map((e: { actor: string; action: string }) => `${e.actor}:${e.action}`)).toEqual([
        'admin:opened',
        'admin:time-booked',
        'admin:closed',
        'admin:billed',
      ]);
      expect(t.server.ctx.alerting.outbox.list()).toEqual([]);
      const billing = (await api.get(`/api/reports/billing?client=${dev.clientId}&month=2025-03`)).json;
      expect(billing).toMatchObject({ totalMinutes: 30, totalAmount: 45 });
      expect((await api.get(`/api/reports/billing?client=${dev.clientId}&month=2025-13`)).json.error.code).toBe('VALIDATION_FAILED');
      expect((await api.get(`/api/reports/contract-advice?client=${dev.clientId}&from=2025-04-01&to=2025-03-01`)).json.error).toEqual({
        code: 'INVALID_RANGE',
        message: 'from (2025-04-01) must not be after to (2025-03-01)',
      });
    });
  });
});
