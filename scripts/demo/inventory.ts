/**
 * Demo inventory for the Windows servers (shared/protocol.ts section shapes): their services
 * with a stopped backup service, the top processes, a printer out of paper, the disks with their
 * SMART verdict, pending updates and who is signed in. Sent once after the backfill.
 */
import type { InventorySections } from '../../shared/protocol.js';

const GB = 1e9;

/** The inventory a Windows file server of the demo reports. */
export function serverInventory(nowMs: number): InventorySections {
  return {
    services: [
      { name: 'Spooler', isRunning: true, state: 'running', startMode: 'auto' },
      { name: 'VeeamBackupSvc', isRunning: false, state: 'stopped', startMode: 'auto' },
      { name: 'W32Time', isRunning: true, state: 'running', startMode: 'auto' },
      { name: 'LanmanServer', isRunning: true, state: 'running', startMode: 'auto' },
    ],
    processes: {
      byCpu: [
        { pid: 4120, name: 'sqlservr.exe', cpuPct: 14.2, memBytes: 3.1 * GB, user: 'NT SERVICE\\MSSQLSERVER' },
        { pid: 2232, name: 'MsMpEng.exe', cpuPct: 6.8, memBytes: 0.31 * GB, user: 'SYSTEM' },
        { pid: 5508, name: 'w3wp.exe', cpuPct: 3.1, memBytes: 0.52 * GB, user: 'IIS APPPOOL\\Exact' },
      ],
      byMem: [
        { pid: 4120, name: 'sqlservr.exe', cpuPct: 14.2, memBytes: 3.1 * GB, user: 'NT SERVICE\\MSSQLSERVER' },
        { pid: 5508, name: 'w3wp.exe', cpuPct: 3.1, memBytes: 0.52 * GB, user: 'IIS APPPOOL\\Exact' },
        { pid: 2232, name: 'MsMpEng.exe', cpuPct: 6.8, memBytes: 0.31 * GB, user: 'SYSTEM' },
      ],
    },
    printers: [
      { name: 'HP LaserJet M404 (balie)', status: 'paper out', hasError: true, isDefault: true, model: 'HP LaserJet Pro M404dn' },
      { name: 'Microsoft Print to PDF', status: 'idle', hasError: false },
    ],
    disks: [
      {
        device: '\\\\.\\PHYSICALDRIVE0',
        name: 'Samsung SSD 870 EVO',
        type: 'SSD',
        interfaceType: 'SATA',
        sizeBytes: 250 * GB,
        smartStatus: 'ok',
        temperatureCelsius: 34,
      },
      {
        device: '\\\\.\\PHYSICALDRIVE1',
        name: 'WDC WD20EFRX',
        type: 'HD',
        interfaceType: 'SATA',
        sizeBytes: 2000 * GB,
        smartStatus: 'ok',
        temperatureCelsius: 38,
      },
    ],
    updates: {
      pendingCount: 4,
      securityCount: 2,
      source: 'windows-update',
      packages: [
        '2026-11 Cumulative Update for Windows Server 2022 (KB5046616)',
        'Security Intelligence Update for Microsoft Defender',
        '.NET Framework 4.8.1 update',
        'Servicing Stack Update',
      ],
    },
    users: [{ user: 'marieke', terminal: 'RDP-Tcp#3', host: '192.168.1.24', loginAtMs: nowMs - 2 * 3_600_000 }],
  };
}
