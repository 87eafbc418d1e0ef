import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EnrollError, enrollDevice } from '../../agent/enroll.js';

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real HTTP receiver on loopback that records the request and answers with `status` and `body`. */
async function receiver(status: number, body: unknown): Promise<{ url: string; requests: { url?: string; body: unknown }[] }> {
  const requests: { url?: string; body: unknown }[] = [];
  server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      requests.push({ url: req.url, body: JSON.parse(text) });
      res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const request = { token: 'enroll-token-123', hostname: 'pc-01', machineId: 'abc123', facts: { platform: 'linux', cpuCores: 4 } };

describe('enrollDevice', () => {
  it('posts the enrollment request to /api/enroll and returns the device credential', async () => {
    const r = await receiver(201, { deviceId: 'dev-9', deviceToken: 'tok-9', clientId: 'cli-1' });
    await expect(enrollDevice({ serverUrl: r.url, ...request })).resolves.toEqual({ deviceId: 'dev-9', deviceToken: 'tok-9', clientId: 'cli-1' });
    expect(r.requests).toEqual([{ url: '/api/enroll', body: request }]);
  });

  it('keeps a path prefix of the server URL', async () => {
    const r = await receiver(200, { deviceId: 'd', deviceToken: 't', clientId: 'c' });
    await enrollDevice({ serverUrl: `${r.url}/monitor/`, ...request });
    expect(r.requests[0]!.url).toBe('/monitor/api/enroll');
  });

  it('throws the server error code and message on a refusal', async () => {
    const r = await receiver(401, { error: { code: 'ENROLLMENT_TOKEN_INVALID', message: 'enrollment token expired' } });
    const err = await enrollDevice({ serverUrl: r.url, ...request }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnrollError);
    expect(err).toMatchObject({ code: 'ENROLLMENT_TOKEN_INVALID', message: 'enrollment token expired', status: 401 });
  });

  it('says so when the answer is not from a Quarkpulse server', async () => {
    const r = await receiver(200, '<html>proxy login</html>');
    await expect(enrollDevice({ serverUrl: r.url, ...request })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('reports NETWORK_ERROR when nothing listens', async () => {
    const r = await receiver(200, {});
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    await expect(enrollDevice({ serverUrl: r.url, ...request })).rejects.toMatchObject({
      code: 'NETWORK_ERROR',
      message: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/),
    });
  });
});
