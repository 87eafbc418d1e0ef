/**
 * A probe checks only its own client's devices: over REST, moving a probe that has probed
 * devices, or a probed device, to another client is refused with 409 and a code that says which;
 * once the probe has no targets left it moves like any device.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, enrollTestDevice, startTestServer, type TestServer } from '../helpers/test-server.js';

let t: TestServer;
let api: ApiClient;
beforeEach(async () => {
  t = await startTestServer({ storageUpkeep: false });
  api = new ApiClient(t.url);
  await api.login();
});
afterEach(async () => {
  await t.close();
});

describe('moving a probe or a probed device to another client', () => {
  it('is refused while they would end up in different clients', async () => {
    const probe = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01' });
    const other = await enrollTestDevice(api, { clientName: 'Bakkerij de Vries', hostname: 'devries-pc' });
    const add = (name: string) =>
      api.post(`/api/clients/${probe.clientId}/probed-devices`, {
        name,
        kind: 'printer',
        probeDeviceId: probe.deviceId,
        checks: [{ id: 'tcp', type: 'tcp', host: '127.0.0.1', port: 9100 }],
      });
    const printer = (await add('printer-reception')).json.deviceId as string;
    const ups = (await add('ups-1')).json.deviceId as string;
    const move = (id: string, clientId: string) => api.request('PATCH', `/api/devices/${id}`, { clientId });

    const probed = await move(printer, other.clientId);
    expect(probed.status).toBe(409);
    expect(probed.json.error).toEqual({
      code: 'PROBED_DEVICE_MOVE',
      message:
        "printer-reception is checked by the site probe jansen-srv01 of its client, and a probe checks only its own client's devices; add it to the other client with one of that client's probes instead",
    });
    const withTargets = await move(probe.deviceId, other.clientId);
    expect(withTargets.status).toBe(409);
    expect(withTargets.json.error).toEqual({
      code: 'PROBE_HAS_TARGETS',
      message:
        'jansen-srv01 is the site probe of 2 devices of its client (printer-reception, ups-1); give them another probe of the client first (PUT /api/devices/:id/probe)',
    });
    // Nothing moved.
    for (const id of [printer, ups, probe.deviceId]) expect((await api.get(`/api/devices/${id}`)).json.clientId).toBe(probe.clientId);
    // A disabled probed device still counts: it would come back with a probe of another client.
    const second = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-pc02' });
    const reassign = (id: string) =>
      api.put(`/api/devices/${id}/probe`, { probeDeviceId: second.deviceId, checks: [{ id: 'tcp', type: 'tcp', host: '127.0.0.1', port: 9100 }] });
    expect((await api.post(`/api/devices/${ups}/disable`)).status).toBe(200);
    expect((await reassign(printer)).status).toBe(200);
    const stillOne = await move(probe.deviceId, other.clientId);
    expect([stillOne.status, stillOne.json.error.code]).toEqual([409, 'PROBE_HAS_TARGETS']);
    expect(stillOne.json.error.message).toContain('site probe of 1 device of its client (ups-1)');
    expect((await reassign(ups)).status).toBe(200);
    // No targets left: it moves like any device.
    const moved = await move(probe.deviceId, other.clientId);
    expect([moved.status, moved.json.clientId]).toEqual([200, other.clientId]);
    // Within its own client a probed device is not moved: no refusal.
    expect((await move(printer, probe.clientId)).status).toBe(200);
  });

  it('a probe takes no more targets than its reports may carry (18 a second: 1,000 at 60 s)', async () => {
    const probe = await enrollTestDevice(api, { clientName: 'Jansen Accountants', hostname: 'jansen-srv01' });
    const add = (name: string, intervalMs: number) =>
      api.post(`/api/clients/${probe.clientId}/probed-devices`, {
        name,
        kind: 'website',
        probeDeviceId: probe.deviceId,
        intervalMs,
        checks: [{ id: 'tcp', type: 'tcp', host: '127.0.0.1', port: 443 }],
      });
    for (let i = 0; i < 17; i++) expect((await add(`site-${i}`, 1_000)).status).toBe(201);
    const last = (await add('site-17', 2_000)).json.deviceId as string; // 17.5 a second
    const over = await add('site-18', 1_000);
    expect(over.status).toBe(409);
    expect(over.json.error).toEqual({
      code: 'PROBE_FULL',
      message: 'body.intervalMs: this probe would send 18.5 reports a second, more than the 18 an agent may; use a longer interval or another probe',
    });
    expect((await add('site-18', 2_000)).status).toBe(201); // 18 a second: fits
    // A shorter interval that would not fit is refused too; a longer one is fine.
    const faster = await api.put(`/api/devices/${last}/probe`, { intervalMs: 1_000 });
    expect([faster.status, faster.json.error.code]).toEqual([409, 'PROBE_FULL']);
    expect((await api.put(`/api/devices/${last}/probe`, { intervalMs: 60_000 })).status).toBe(200);
  });
});
