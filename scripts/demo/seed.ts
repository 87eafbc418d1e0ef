/**
 * Demo data for screenshots and manual tours: four clients (two monthly, two break-fix) with a
 * handful of devices each, fed through the real agent protocol with six hours of backfilled
 * history, then kept live. Along the way the rules engine raises what a real week would: a
 * firing alert, an acknowledged and assigned one, a disk-full forecast, an offline laptop, an
 * open break-fix incident with time booked, and a closed one that was billed. Past months of
 * booked time give the contract advisor something to compare.
 */
import type { QuarkpulseServer } from '../../server/index.js';
import { hashPassword } from '../../server/lib/secrets.js';
import type { Sample, SystemFacts } from '../../shared/protocol.js';
import { serverInventory } from './inventory.js';
import { connectRawAgent, type RawAgent } from './raw-agent.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const GB = 1e9;

interface Disk {
  mount: string;
  sizeGb: number;
  pct: number;
  /** Growth per hour, GB (a disk filling up). */
  growGbPerHour?: number;
}

interface DemoDevice {
  client: string;
  hostname: string;
  role: 'server' | 'desktop' | 'laptop';
  cpu: number;
  mem: number;
  disks: Disk[];
  facts: SystemFacts;
  /** Disconnects after the backfill (shows offline, and the offline rule fires). */
  goesOffline?: boolean;
}

interface DemoClient {
  name: string;
  contract: 'monthly' | 'break-fix';
  monthlyFee: number;
  hourlyRate: number;
  contact: string;
}

const CLIENTS: DemoClient[] = [
  { name: 'Jansen Accountants', contract: 'monthly', monthlyFee: 450, hourlyRate: 85, contact: 'Marieke Jansen, 020 555 0101' },
  { name: 'Huisartsenpraktijk Oost', contract: 'monthly', monthlyFee: 600, hourlyRate: 90, contact: 'dr. P. de Boer, 030 555 0199' },
  { name: 'Bakkerij de Vries', contract: 'break-fix', monthlyFee: 350, hourlyRate: 75, contact: 'Henk de Vries, 06 5555 0123' },
  { name: 'Garage Visser', contract: 'break-fix', monthlyFee: 250, hourlyRate: 70, contact: 'Anouk Visser, 0495 555 014' },
  // Its internet line drops during the demo: three devices offline at once, one page (docs/GROUPING.md).
  { name: 'Tandartspraktijk Smit', contract: 'monthly', monthlyFee: 300, hourlyRate: 85, contact: 'Sanne Smit, 010 555 0177' },
];

const winServer = (model: string): SystemFacts => ({
  platform: 'win32',
  distro: 'Windows Server 2022 Standard',
  release: '10.0.20348',
  arch: 'x64',
  cpuModel: model,
  cpuCores: 8,
  memTotalBytes: 32 * GB,
  manufacturer: 'Dell Inc.',
  model: 'PowerEdge T150',
});
const winDesktop = (model: string): SystemFacts => ({
  platform: 'win32',
  distro: 'Windows 11 Pro',
  release: '10.0.22631',
  arch: 'x64',
  cpuModel: model,
  cpuCores: 6,
  memTotalBytes: 16 * GB,
  manufacturer: 'HP',
  model: 'EliteDesk 800 G6',
});
const linux = (model: string): SystemFacts => ({
  platform: 'linux',
  distro: 'Debian GNU/Linux 12 (bookworm)',
  release: '12',
  arch: 'x64',
  kernel: '6.1.0-18-amd64',
  cpuModel: model,
  cpuCores: 4,
  memTotalBytes: 8 * GB,
  manufacturer: 'Intel',
  model: 'NUC11TNHi5',
});

const smitDesktop = (client: string, hostname: string, cpu: number, mem: number, pct: number): DemoDevice => ({
  client,
  hostname,
  role: 'desktop',
  cpu,
  mem,
  disks: [{ mount: 'C:', sizeGb: 256, pct }],
  facts: winDesktop('Intel Core i3-10100'),
  goesOffline: true,
});

const DEVICES: DemoDevice[] = [
  smitDesktop('Tandartspraktijk Smit', 'smit-balie', 14, 52, 48),
  smitDesktop('Tandartspraktijk Smit', 'smit-behandel1', 9, 44, 37),
  smitDesktop('Tandartspraktijk Smit', 'smit-behandel2', 11, 47, 39),
  {
    client: 'Jansen Accountants',
    hostname: 'jansen-srv01',
    role: 'server',
    cpu: 28,
    mem: 71,
    disks: [
      { mount: 'C:', sizeGb: 240, pct: 58 },
      { mount: 'D:', sizeGb: 2000, pct: 86 },
    ],
    facts: winServer('Intel Xeon E-2336'),
  },
  {
    client: 'Jansen Accountants',
    hostname: 'jansen-pc01',
    role: 'desktop',
    cpu: 12,
    mem: 48,
    disks: [{ mount: 'C:', sizeGb: 512, pct: 41 }],
    facts: winDesktop('Intel Core i5-10500'),
  },
  {
    client: 'Jansen Accountants',
    hostname: 'jansen-pc02',
    role: 'desktop',
    cpu: 9,
    mem: 55,
    disks: [{ mount: 'C:', sizeGb: 512, pct: 63 }],
    facts: winDesktop('Intel Core i5-10500'),
  },
  {
    client: 'Jansen Accountants',
    hostname: 'jansen-laptop-marieke',
    role: 'laptop',
    cpu: 15,
    mem: 62,
    disks: [{ mount: 'C:', sizeGb: 256, pct: 77 }],
    facts: winDesktop('Intel Core i7-1165G7'),
    goesOffline: true,
  },
  {
    client: 'Huisartsenpraktijk Oost',
    hostname: 'oost-srv',
    role: 'server',
    cpu: 22,
    mem: 64,
    disks: [
      { mount: '/', sizeGb: 120, pct: 44 },
      { mount: '/srv/his', sizeGb: 500, pct: 78, growGbPerHour: 1.6 },
    ],
    facts: linux('Intel Core i5-1135G7'),
  },
  {
    client: 'Huisartsenpraktijk Oost',
    hostname: 'oost-balie',
    role: 'desktop',
    cpu: 18,
    mem: 58,
    disks: [{ mount: 'C:', sizeGb: 256, pct: 52 }],
    facts: winDesktop('Intel Core i3-10100'),
  },
  {
    client: 'Huisartsenpraktijk Oost',
    hostname: 'oost-spreekkamer1',
    role: 'desktop',
    cpu: 11,
    mem: 47,
    disks: [{ mount: 'C:', sizeGb: 256, pct: 49 }],
    facts: winDesktop('Intel Core i3-10100'),
  },
  {
    client: 'Huisartsenpraktijk Oost',
    hostname: 'oost-spreekkamer2',
    role: 'desktop',
    cpu: 14,
    mem: 51,
    disks: [{ mount: 'C:', sizeGb: 256, pct: 84 }],
    facts: winDesktop('Intel Core i3-10100'),
  },
  {
    client: 'Bakkerij de Vries',
    hostname: 'devries-kassa',
    role: 'desktop',
    cpu: 21,
    mem: 66,
    disks: [{ mount: 'C:', sizeGb: 128, pct: 86 }],
    facts: winDesktop('Intel Celeron J4125'),
  },
  {
    client: 'Bakkerij de Vries',
    hostname: 'devries-kantoor',
    role: 'desktop',
    cpu: 8,
    mem: 39,
    disks: [{ mount: 'C:', sizeGb: 512, pct: 35 }],
    facts: winDesktop('Intel Core i5-8500'),
  },
  {
    client: 'Garage Visser',
    hostname: 'visser-werkplaats',
    role: 'desktop',
    cpu: 16,
    mem: 57,
    disks: [{ mount: 'C:', sizeGb: 256, pct: 71 }],
    facts: winDesktop('Intel Core i3-8100'),
  },
  {
    client: 'Garage Visser',
    hostname: 'visser-nas',
    role: 'server',
    cpu: 6,
    mem: 33,
    disks: [
      { mount: '/', sizeGb: 32, pct: 38 },
      { mount: '/volume1', sizeGb: 4000, pct: 61 },
    ],
    facts: linux('Intel Celeron J4125'),
  },
];

/** A value that wanders smoothly around `base` (deterministic per device and time). */
function wave(base: number, seed: number, tsMs: number, amplitude: number): number {
  const t = tsMs / HOUR;
  const v = base + amplitude * (0.6 * Math.sin(t * 1.3 + seed) + 0.3 * Math.sin(t * 5.1 + seed * 2) + 0.1 * Math.sin(t * 23 + seed * 3));
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
}

/** One report of a device at `tsMs`; `override` sets filesystem percentages by mount. */
function samplesAt(d: DemoDevice, seed: number, tsMs: number, nowMs: number, override: Record<string, number> = {}): Sample[] {
  const busy = d.role === 'server' ? 1.4 : 1;
  const out: Sample[] = [
    { name: 'cpu.loadPct', value: wave(d.cpu, seed, tsMs, 9 * busy) },
    { name: 'mem.usedPct', value: wave(d.mem, seed + 1, tsMs, 4) },
    { name: 'mem.totalBytes', value: d.facts.memTotalBytes ?? 8 * GB },
    { name: 'system.uptimeSec', value: Math.round((tsMs - (nowMs - (3 + seed) * DAY)) / 1000) },
    { name: 'net.rxBytesPerSec', labels: { iface: 'eth0' }, value: Math.round(wave(30, seed + 2, tsMs, 25) * 40_000 * busy) },
    { name: 'net.txBytesPerSec', labels: { iface: 'eth0' }, value: Math.round(wave(20, seed + 3, tsMs, 18) * 25_000 * busy) },
  ];
  if (d.role === 'server') out.push({ name: 'temp.cpuCelsius', value: Math.round((48 + wave(d.cpu, seed + 4, tsMs, 9) / 4) * 10) / 10 });
  for (const disk of d.disks) {
    const grown = disk.growGbPerHour ? ((tsMs - nowMs) / HOUR) * disk.growGbPerHour : 0;
    const pct = override[disk.mount] ?? Math.min(99, disk.pct + (grown / disk.sizeGb) * 100 + wave(0, seed + 5, tsMs, 0.3));
    out.push(
      { name: 'fs.usedPct', labels: { mount: disk.mount }, value: Math.round(pct * 10) / 10 },
      { name: 'fs.sizeBytes', labels: { mount: disk.mount }, value: disk.sizeGb * GB },
      { name: 'fs.usedBytes', labels: { mount: disk.mount }, value: Math.round((pct / 100) * disk.sizeGb * GB) },
    );
  }
  return out;
}

/** What the seeding made, for screenshots and tests to find their way. */
export interface DemoHandles {
  clientIds: Record<string, string>;
  /** The path of a status link (screenshots), once one was made. */
  statusPath?: string;
  deviceIds: Record<string, string>;
  /** Ids of a few notable records. */
  firingAlertId: string;
  acknowledgedAlertId: string;
  openIncidentId: string;
  billedIncidentId: string;
  /** Stops the live reports and disconnects every agent. */
  stop(): void;
}

/** Calls the API as one signed-in user; throws on any non-2xx answer. */
export type Call = (method: string, path: string, body?: unknown) => Promise<any>;

/** An API caller with its own session. */
export async function session(baseUrl: string, username: string, password: string): Promise<Call> {
  const login = await fetch(`${baseUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!login.ok) throw new Error(`demo login as ${username} failed: ${login.status}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return async (method, path, body) => {
    const res = await fetch(baseUrl + path, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `find` until it returns something (the engine acts within milliseconds; this bounds it). */
async function waitFor<T>(what: string, find: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await find();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`demo: timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Seeds a running server. `adminPassword` logs in as admin over REST; the clients are created
 * through the store with a creation date a year back, so the advisor has months to compare.
 */
export async function seedDemo(
  server: QuarkpulseServer,
  baseUrl: string,
  adminPassword: string,
  opts: { historyHours?: number; liveIntervalMs?: number } = {},
): Promise<DemoHandles> {
  const historyHours = opts.historyHours ?? 6;
  const liveIntervalMs = opts.liveIntervalMs ?? 5_000;
  const { ctx } = server;
  const nowMs = Date.now();
  const admin = await session(baseUrl, 'admin', adminPassword);
  ctx.users.create(
    { username: 'tina', passwordHash: await hashPassword('tina-demo-password'), role: 'technician', email: 'tina@quarkpulse.example' },
    nowMs - 200 * DAY,
  );
  ctx.users.create({ username: 'vera', passwordHash: await hashPassword('vera-demo-password'), role: 'viewer', email: null }, nowMs - 40 * DAY);
  const tina = await session(baseUrl, 'tina', 'tina-demo-password');

  const clientIds: Record<string, string> = {};
  for (const c of CLIENTS) {
    const created = ctx.clients.create({ ...c, timezone: 'Europe/Amsterdam' }, nowMs - 400 * DAY);
    clientIds[c.name] = created.id;
  }

  // Enroll and backfill every device through the real protocol.
  const deviceIds: Record<string, string> = {};
  const agents = new Map<string, RawAgent>();
  const tokens = new Map<string, string>();
  for (const name of Object.keys(clientIds))
    tokens.set(name, (await admin('POST', `/api/clients/${clientIds[name]}/enrollment-tokens`, { label: 'demo' })).token);
  const stepMs = 2 * MIN;
  await Promise.all(
    DEVICES.map(async (d, i) => {
      const enrolled = await admin('POST', '/api/enroll', {
        token: tokens.get(d.client),
        hostname: d.hostname,
        machineId: `demo-${d.hostname}`,
        facts: d.facts,
      });
      deviceIds[d.hostname] = enrolled.deviceId;
      const agent = await connectRawAgent(baseUrl, enrolled.deviceToken, { hostname: d.hostname, intervalMs: liveIntervalMs, facts: d.facts });
      agents.set(d.hostname, agent);
      const sends: Promise<void>[] = [];
      for (let ts = nowMs - historyHours * HOUR; ts <= nowMs; ts += stepMs) sends.push(agent.report(ts, samplesAt(d, i, ts, nowMs)));
      await Promise.all(sends);
      if (d.role === 'server' && d.facts.platform === 'win32') agent.inventory(nowMs, serverInventory(nowMs));
    }),
  );

  // The laptop goes home now; by the end of seeding the offline rule has noticed.
  for (const d of DEVICES) if (d.goesOffline) agents.get(d.hostname)!.close();

  // From here on every connected device reports every liveIntervalMs, as a real agent would
  // (a connected device that stays silent goes offline after 3 intervals). `pinned` holds the
  // filesystem values the story below sets.
  const pinned = new Map<string, Record<string, number>>();
  const report = (hostname: string, override?: Record<string, number>) => {
    if (override) pinned.set(hostname, override);
    const i = DEVICES.findIndex((d) => d.hostname === hostname);
    return agents.get(hostname)!.report(Date.now(), samplesAt(DEVICES[i]!, i, Date.now(), nowMs, pinned.get(hostname)));
  };
  const live = setInterval(() => {
    for (const d of DEVICES) if (!d.goesOffline) report(d.hostname).catch(() => {});
  }, liveIntervalMs);
  live.unref();

  // A firing alert (monthly) and an acknowledged, assigned one.
  await report('jansen-srv01', { 'D:': 93.4 });
  const fullDisk = (rows: { id: string; ruleId: string }[]): { id: string } | undefined => rows.find((r) => r.ruleId === 'default-filesystem-full');
  const firing = await waitFor('the firing alert', async () => fullDisk(await admin('GET', `/api/alerts?device=${deviceIds['jansen-srv01']}&state=firing`)));
  await report('oost-spreekkamer2', { 'C:': 92.1 });
  const toAck = await waitFor('the second alert', async () =>
    fullDisk(await admin('GET', `/api/alerts?device=${deviceIds['oost-spreekkamer2']}&state=firing`)),
  );
  await tina('POST', `/api/alerts/${toAck.id}/acknowledge`, { note: 'Cleaning up the Windows update cache' });
  await tina('POST', `/api/alerts/${toAck.id}/assign`, { assignee: 'tina' });
  await tina('POST', `/api/alerts/${toAck.id}/comments`, { text: 'Freed 9 GB; asking the practice to archive old scans.' });
  pinned.set('oost-spreekkamer2', { 'C:': 89.6 });

  // Break-fix: an open incident with time booked, and a closed one that was billed.
  await report('devries-kassa', { 'C:': 95.2 });
  const open = await waitFor('the open incident', async () => fullDisk(await admin('GET', `/api/incidents?device=${deviceIds['devries-kassa']}&state=open`)));
  await tina('POST', `/api/incidents/${open.id}/time-entries`, { minutes: 90, note: 'On site: cleared temp files, moved photo archive to the office PC' });
  // The workshop PC's disk holds a scratch folder that jumps: no forecasts there.
  await admin('POST', '/api/rules', {
    overridesRuleId: 'default-filesystem-forecast',
    scope: { type: 'device', deviceId: deviceIds['visser-werkplaats'] },
    isEnabled: false,
  });
  await report('visser-werkplaats', { 'C:': 96.3 });
  const toBill = await waitFor('the second incident', async () =>
    fullDisk(await admin('GET', `/api/incidents?device=${deviceIds['visser-werkplaats']}&state=open`)),
  );
  await admin('POST', `/api/incidents/${toBill.id}/time-entries`, { minutes: 45, note: 'Remote session: removed old diagnostic logs' });
  await report('visser-werkplaats', { 'C:': 72.5 });
  await waitFor('the incident to close', async () => ((await admin('GET', `/api/incidents/${toBill.id}`)).state === 'closed' ? true : undefined));
  await admin('POST', `/api/incidents/${toBill.id}/bill`, {});

  // Earlier months of break-fix work, for billing history and the advisor chart.
  const called = await tina('POST', '/api/incidents', {
    clientId: clientIds['Bakkerij de Vries'],
    title: 'Receipt printer at the till stops after a few tickets',
    severity: 'warning',
  });
  const monthsAgo = (n: number, day: number) => {
    const d = new Date(nowMs);
    d.setDate(1);
    d.setMonth(d.getMonth() - n);
    d.setDate(day);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  for (const [n, day, minutes, note] of [
    [10, 12, 240, 'New till PC installed'],
    [8, 3, 60, 'Network printer driver'],
    [7, 21, 150, 'Router replaced after power cut'],
    [5, 9, 90, 'E-mail on the office PC'],
    [3, 17, 300, 'Malware clean-up'],
    [2, 6, 45, 'Backup check'],
    [1, 14, 120, 'Receipt printer'],
  ] as const) {
    await tina('POST', `/api/incidents/${called.id}/time-entries`, { minutes, note, date: monthsAgo(n, day) });
  }
  await tina('POST', `/api/incidents/${called.id}/close`, { note: 'Printer replaced under warranty' });

  // Maintenance, an override, and the laptop that went home.
  await admin('POST', '/api/maintenance', {
    kind: 'recurring',
    name: 'Sunday patch night',
    scope: { type: 'client', clientId: clientIds['Jansen Accountants'] },
    daysOfWeek: ['sun'],
    startTime: '02:00',
    endTime: '05:00',
  });
  await admin('POST', '/api/maintenance', {
    kind: 'one-off',
    name: 'Server move to the new rack',
    scope: { type: 'device', deviceId: deviceIds['oost-srv'] },
    startsAtMs: nowMs + 3 * DAY,
    endsAtMs: nowMs + 3 * DAY + 4 * HOUR,
  });
  await admin('POST', '/api/rules', {
    overridesRuleId: 'default-cpu-high',
    scope: { type: 'client', clientId: clientIds['Huisartsenpraktijk Oost'] },
    threshold: 97,
    clearThreshold: 90,
  });
  await admin('POST', '/api/rules', {
    overridesRuleId: 'default-offline',
    scope: { type: 'device', deviceId: deviceIds['visser-werkplaats'] },
    isEnabled: false,
  });
  for (const offline of DEVICES.filter((d) => d.goesOffline)) {
    await waitFor(
      `the offline alert of ${offline.hostname}`,
      async () => (await admin('GET', `/api/alerts?device=${deviceIds[offline.hostname]}&state=firing`))[0],
      40_000,
    );
  }

  return {
    clientIds,
    deviceIds,
    firingAlertId: firing.id,
    acknowledgedAlertId: toAck.id,
    openIncidentId: open.id,
    billedIncidentId: toBill.id,
    stop() {
      clearInterval(live);
      for (const a of agents.values()) a.close();
    },
  };
}
