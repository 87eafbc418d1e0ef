/** The one formatter and the metric label table, as tables. */
import { describe, expect, it } from 'vitest';
import { formatApproxDuration, formatBitRate, formatBytes, formatCelsius, formatDuration, formatPct, formatRate } from '../../shared/format.js';
import { describeReading, formatMetricValue, labelMetric, labelSnapshot, parseSeriesKey } from '../../shared/metric-labels.js';
import { METRICS } from '../../shared/metrics.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [-5_000, '0 s'],
    [15_000, '15 s'],
    [59_400, '59 s'],
    [60_000, '1 min'],
    [90_000, '1 min 30 s'],
    [5 * 60_000, '5 min'],
    [12 * 60_000 + 20_000, '12 min'],
    [3_599_000, '1 h'],
    [95 * 60_000, '1 h 35 min'],
    [2 * 3_600_000, '2 h'],
    [26 * 3_600_000, '1 d 2 h'],
    [7 * 86_400_000, '7 d'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('formatApproxDuration', () => {
  it.each([
    [30_000, 'less than a minute'],
    [60_000, 'about 1 minute'],
    [20 * 60_000, 'about 20 minutes'],
    [5 * 3_600_000, 'about 5 hours'],
    [30 * 3_600_000, 'about 30 hours'],
    [3.2 * 86_400_000, 'about 3 days'],
  ])('%d ms → %s', (ms, text) => expect(formatApproxDuration(ms)).toBe(text));
});

describe('numbers with units', () => {
  it.each([
    [formatPct(97.123), '97 %'],
    [formatPct(9.54), '9.5 %'],
    [formatPct(5), '5 %'],
    [formatPct(null), '–'],
    [formatPct(Number.NaN), '–'],
    [formatBytes(0), '0 B'],
    [formatBytes(999), '999 B'],
    [formatBytes(1_234_567_890), '1.2 GB'],
    [formatBytes(512_000_000), '512 MB'],
    [formatBytes(2_000_000_000_000), '2 TB'],
    [formatBytes(-1_500_000), '-1.5 MB'],
    [formatRate(1_250_000), '1.3 MB/s'],
    [formatBitRate(0), '0 bit/s'],
    [formatBitRate(940_000_000), '940 Mbit/s'],
    [formatBitRate(1_500), '1.5 kbit/s'],
    [formatBitRate(10_000_000_000), '10 Gbit/s'],
    [formatCelsius(71), '71 °C'],
    [formatCelsius(71.46), '71.5 °C'],
  ])('%s = %s', (actual, expected) => expect(actual).toBe(expected));
});

describe('metric labels', () => {
  it('every metric an agent may report has a label that is not its id', () => {
    for (const m of METRICS)
      expect(labelMetric(m.name, { mount: 'C:', iface: 'eth0', core: '0', service: 'x', printer: 'p', disk: 'sda', interface: 'Gi1/0/1', oid: 'x' })).not.toBe(
        m.name,
      );
  });
  it.each([
    ['cpu.loadPct', {}, 97.2, 'CPU load', '97 %', 'CPU at 97 %'],
    ['mem.usedPct', {}, 91, 'Memory used', '91 %', 'Memory at 91 %'],
    ['fs.usedPct', { mount: 'C:' }, 93.4, 'C: used', '93 %', 'C: 93 % full'],
    ['fs.usedBytes', { mount: '/' }, 120e9, '/ used', '120 GB', '/ 120 GB used'],
    ['net.rxBytesPerSec', { iface: 'eth0' }, 1.5e6, 'eth0 ↓ in', '1.5 MB/s', 'eth0 receiving 1.5 MB/s'],
    ['temp.cpuCelsius', {}, 85, 'CPU temperature', '85 °C', 'CPU temperature at 85 °C'],
    ['system.uptimeSec', {}, 3 * 86_400 + 4 * 3600, 'Uptime', '3 d 4 h', 'Up for 3 d 4 h'],
    ['service.isRunning', { service: 'Spooler' }, 0, 'Service Spooler running', 'no', 'Service Spooler running: no'],
    ['agent.droppedReports', {}, 3, 'Reports dropped by the agent', '3', '3 reports dropped by the agent'],
    ['if.isUp', { interface: 'Gi1/0/7' }, 0, 'Interface Gi1/0/7 up', 'no', 'Interface Gi1/0/7 down'],
    ['if.inBps', { interface: 'wan' }, 2.5e7, 'wan ↓ in', '25 Mbit/s', 'wan receiving 25 Mbit/s'],
    ['snmp.rebooted', {}, 1, 'Device restarted', 'yes', 'The device restarted (its uptime went back)'],
    ['snmp.value', { oid: 'sessions' }, 1234, 'SNMP sessions', '1234', 'SNMP sessions at 1234'],
    ['made.up', {}, 1.234, 'made.up', '1.23', 'made.up at 1.23'],
  ])('%s %j %d → %s / %s / %s', (name, labels, value, label, text, reading) => {
    expect(labelMetric(name, labels)).toBe(label);
    expect(formatMetricValue(name, value)).toBe(text);
    expect(describeReading(name, labels, value)).toBe(reading);
  });
  it('parses series keys and labels a snapshot in the metric list order', () => {
    expect(parseSeriesKey('fs.usedPct{mount=C:}')).toEqual({ name: 'fs.usedPct', labels: { mount: 'C:' } });
    expect(parseSeriesKey('cpu.loadPct')).toEqual({ name: 'cpu.loadPct', labels: {} });
    expect(
      labelSnapshot({
        'agent.droppedReports': 0,
        'fs.usedPct{mount=D:}': 40,
        'cpu.coreLoadPct{core=1}': 12,
        'fs.usedPct{mount=C:}': 95.2,
        'cpu.loadPct': 50.18,
      }),
    ).toEqual([
      { key: 'cpu.loadPct', label: 'CPU load', value: '50 %' },
      { key: 'cpu.coreLoadPct{core=1}', label: 'CPU core 1 load', value: '12 %' },
      { key: 'fs.usedPct{mount=C:}', label: 'C: used', value: '95 %' },
      { key: 'fs.usedPct{mount=D:}', label: 'D: used', value: '40 %' },
      { key: 'agent.droppedReports', label: 'Reports dropped by the agent', value: '0' },
    ]);
  });
});
