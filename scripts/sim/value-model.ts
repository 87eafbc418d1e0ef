/**
 * Realistic, drifting metric values for one simulated machine: CPU that idles around a baseline
 * with occasional spikes to 90–100 %, memory that wanders in whole kibibytes, disks that fill
 * (a few quickly, most slowly) in 4 KiB blocks and are sometimes cleaned up, network rates that
 * burst, uptime that counts, a temperature that follows the CPU. Values carry the noise real
 * collectors send (systeminformation reports CPU load with ~12 significant digits), so storage
 * figures measured on them are not flattered by suspiciously round numbers.
 */
import type { Sample } from '../../shared/protocol.js';

const GiB = 1024 ** 3;

/** A seeded PRNG (mulberry32), so a run can be repeated. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

interface Disk {
  mount: string;
  sizeBytes: number;
  usedBytes: number;
  /** Bytes added per second on average (can be negative briefly after cleanups). */
  fillBytesPerSec: number;
}

/** The machine a simulated agent pretends to be, and its evolving state. */
export class MachineModel {
  readonly kind: 'desktop' | 'laptop' | 'server';
  readonly cores: number;
  private readonly rnd: () => number;
  private readonly memTotal: number;
  private memUsed: number;
  private readonly swapTotal: number;
  private swapUsed: number;
  private readonly disks: Disk[];
  private readonly ifaces: { name: string; rx: number; tx: number; baseRx: number; baseTx: number }[];
  private cpuBase: number;
  private cpu: number;
  private spikeTicksLeft = 0;
  private load = [0, 0, 0];
  private uptimeSec: number;
  private procs: number;
  private battery = 80;
  private isCharging = true;

  constructor(seed: number) {
    this.rnd = createRng(seed);
    const r = this.rnd;
    const k = r();
    this.kind = k < 0.3 ? 'server' : k < 0.65 ? 'laptop' : 'desktop';
    this.cores = this.kind === 'server' ? [8, 12, 16][Math.floor(r() * 3)]! : [4, 4, 8][Math.floor(r() * 3)]!;
    this.memTotal = (this.kind === 'server' ? [32, 64, 128][Math.floor(r() * 3)]! : [8, 16, 32][Math.floor(r() * 3)]!) * GiB;
    this.memUsed = Math.round((this.memTotal * (0.3 + r() * 0.4)) / 1024) * 1024;
    this.swapTotal = this.kind === 'server' ? 8 * GiB : 2 * GiB;
    this.swapUsed = Math.round((this.swapTotal * r() * 0.1) / 1024) * 1024;
    const mounts =
      this.kind === 'server' ? ['/', '/var', '/data', '/backup'].slice(0, 2 + Math.floor(r() * 3)) : ['/', '/home'].slice(0, 1 + Math.floor(r() * 2));
    // About one disk in fifty fills fast enough to trigger a disk-full forecast within days.
    this.disks = mounts.map((mount) => {
      const sizeBytes = (this.kind === 'server' ? 500 + Math.floor(r() * 3500) : 250 + Math.floor(r() * 750)) * GiB;
      const isFilling = r() < 0.02;
      return {
        mount,
        sizeBytes,
        usedBytes: Math.round((sizeBytes * (0.2 + r() * 0.6)) / 4096) * 4096,
        fillBytesPerSec: isFilling ? 50_000 + r() * 500_000 : r() * 5_000,
      };
    });
    const nIfaces = this.kind === 'server' ? 2 + Math.floor(r() * 2) : 1;
    this.ifaces = Array.from({ length: nIfaces }, (_, i) => {
      const baseRx = (this.kind === 'server' ? 2e6 : 5e4) * (0.2 + r() * 2);
      const baseTx = baseRx * (0.1 + r() * 0.8);
      return { name: i === 0 ? 'eth0' : `eth${i}`, rx: baseRx, tx: baseTx, baseRx, baseTx };
    });
    this.cpuBase = 2 + r() * (this.kind === 'server' ? 45 : 25);
    this.cpu = this.cpuBase;
    this.uptimeSec = Math.floor(r() * 40 * 86_400);
    this.procs = Math.floor((this.kind === 'server' ? 200 : 250) + r() * 150);
    this.load = [(this.cpu / 100) * this.cores, (this.cpu / 100) * this.cores, (this.cpu / 100) * this.cores];
  }

  /** Number of samples each report carries. */
  get sampleCount(): number {
    return this.next(0, true).length;
  }

  /** Advances the state by `dtMs` and returns one report's samples. */
  next(dtMs: number, isDryRun = false): Sample[] {
    const r = this.rnd;
    const dt = dtMs / 1000;
    if (!isDryRun && dt > 0) {
      // CPU: mean-reverting noise around a slowly drifting baseline, plus spikes.
      this.cpuBase = clamp(this.cpuBase + (r() - 0.5) * 0.5, 1, 70);
      if (this.spikeTicksLeft > 0) this.spikeTicksLeft--;
      else if (r() < 0.004) this.spikeTicksLeft = 3 + Math.floor(r() * 30);
      const target = this.spikeTicksLeft > 0 ? 88 + r() * 12 : this.cpuBase;
      this.cpu = clamp(this.cpu + (target - this.cpu) * 0.5 + (r() - 0.5) * 6, 0, 100);
      const f1 = Math.exp(-dt / 60);
      const f5 = Math.exp(-dt / 300);
      const f15 = Math.exp(-dt / 900);
      const runq = (this.cpu / 100) * this.cores;
      this.load = [this.load[0]! * f1 + runq * (1 - f1), this.load[1]! * f5 + runq * (1 - f5), this.load[2]! * f15 + runq * (1 - f15)];
      this.memUsed = clamp(this.memUsed + Math.round(((r() - 0.5) * 0.004 * this.memTotal) / 1024) * 1024, 0.1 * this.memTotal, 0.97 * this.memTotal);
      if (r() < 0.01) this.swapUsed = clamp(this.swapUsed + Math.round(((r() - 0.4) * 0.02 * this.swapTotal) / 1024) * 1024, 0, this.swapTotal);
      for (const d of this.disks) {
        let delta = d.fillBytesPerSec * dt * (0.5 + r());
        if (r() < 0.0005) delta -= d.usedBytes * 0.05; // a cleanup
        d.usedBytes = clamp(Math.round((d.usedBytes + delta) / 4096) * 4096, 0, d.sizeBytes);
      }
      for (const i of this.ifaces) {
        const burst = r() < 0.02 ? 5 + r() * 20 : 1;
        i.rx = Math.max(0, i.rx + (i.baseRx * burst - i.rx) * 0.3 + (r() - 0.5) * i.baseRx * 0.4);
        i.tx = Math.max(0, i.tx + (i.baseTx * burst - i.tx) * 0.3 + (r() - 0.5) * i.baseTx * 0.4);
      }
      this.uptimeSec += dt;
      this.procs = Math.max(50, this.procs + Math.round((r() - 0.5) * 6));
      if (this.kind === 'laptop') {
        if (this.isCharging) this.battery = Math.min(100, this.battery + dt * 0.01);
        else this.battery = Math.max(5, this.battery - dt * 0.005);
        if (r() < 0.001) this.isCharging = !this.isCharging;
      }
    }
    const s: Sample[] = [];
    s.push({ name: 'cpu.loadPct', value: this.cpu });
    for (let c = 0; c < this.cores; c++) s.push({ name: 'cpu.coreLoadPct', labels: { core: String(c) }, value: clamp(this.cpu + (r() - 0.5) * 20, 0, 100) });
    s.push({ name: 'load.avg1', value: Math.round(this.load[0]! * 100) / 100 });
    s.push({ name: 'load.avg5', value: Math.round(this.load[1]! * 100) / 100 });
    s.push({ name: 'load.avg15', value: Math.round(this.load[2]! * 100) / 100 });
    s.push({ name: 'mem.totalBytes', value: this.memTotal });
    s.push({ name: 'mem.usedBytes', value: this.memUsed });
    s.push({ name: 'mem.availableBytes', value: this.memTotal - this.memUsed });
    s.push({ name: 'mem.usedPct', value: (this.memUsed / this.memTotal) * 100 });
    s.push({ name: 'swap.totalBytes', value: this.swapTotal });
    s.push({ name: 'swap.usedBytes', value: this.swapUsed });
    for (const d of this.disks) {
      const labels = { mount: d.mount };
      s.push({ name: 'fs.sizeBytes', labels, value: d.sizeBytes });
      s.push({ name: 'fs.usedBytes', labels, value: d.usedBytes });
      s.push({ name: 'fs.usedPct', labels, value: (d.usedBytes / d.sizeBytes) * 100 });
    }
    for (const i of this.ifaces) {
      s.push({ name: 'net.rxBytesPerSec', labels: { iface: i.name }, value: i.rx });
      s.push({ name: 'net.txBytesPerSec', labels: { iface: i.name }, value: i.tx });
    }
    s.push({ name: 'system.uptimeSec', value: Math.floor(this.uptimeSec) });
    s.push({ name: 'proc.count', value: this.procs });
    s.push({ name: 'temp.cpuCelsius', value: Math.round((34 + this.cpu * 0.45 + (r() - 0.5) * 2) * 10) / 10 });
    if (this.kind === 'laptop') {
      s.push({ name: 'battery.chargePct', value: Math.round(this.battery) });
      s.push({ name: 'battery.isCharging', value: this.isCharging ? 1 : 0 });
    }
    return s;
  }
}
