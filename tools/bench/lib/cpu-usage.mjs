// CPU seconds (utime + stime from /proc/<pid>/stat) spent by each process during a section,
// including the PostgreSQL backends serving the benchmark database.
import { readFileSync } from 'node:fs';
import { backendPids } from './postgres.mjs';
import { cpuSeconds } from './processes.mjs';
import { round } from './stats.mjs';

export class CpuMeter {
  constructor(topology, database) {
    this.topology = topology;
    this.database = database;
  }

  async snapshot() {
    const apps = new Map(this.topology.running().map((process_) => [process_.name, { pid: process_.pid, cpu: cpuSeconds(process_.pid) ?? 0 }]));
    const backends = new Map((await backendPids(this.database)).map((pid) => [pid, cpuSeconds(pid) ?? 0]));
    return { apps, backends, machine: machineBusy(), at: Date.now() };
  }

  /**
   * CPU seconds per process between `before` and now. Backends that connected meanwhile
   * count from zero; one that closed before now is missed (the pools keep theirs open).
   */
  async since(before) {
    const after = await this.snapshot();
    const seconds = {};
    for (const [name, { pid, cpu }] of after.apps) {
      const start = before.apps.get(name);
      seconds[name] = cpu - (start && start.pid === pid ? start.cpu : 0);
    }
    let postgres = 0;
    for (const [pid, cpu] of after.backends) postgres += cpu - (before.backends.get(pid) ?? 0);
    seconds['postgres (backends)'] = postgres;
    return seconds;
  }

  /** CPU seconds the whole machine was busy (every process: ours, the load generator, other users). */
  async machineSince(before) {
    const busy = machineBusy() - before.machine;
    return { busyCpuSeconds: round(busy), wallSeconds: round((Date.now() - before.at) / 1000) };
  }
}

/** Busy CPU seconds of all cores since boot, from the aggregate line of /proc/stat. */
function machineBusy() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** Adds CPU seconds per process of several measurements. */
export function addCpu(total, seconds) {
  for (const [name, value] of Object.entries(seconds)) total[name] = (total[name] ?? 0) + value;
  return total;
}

/** CPU seconds per process, per 1,000 orders, and in total. */
export function cpuPer1000(seconds, orders) {
  const per1000 = (value) => (orders > 0 ? round((value / orders) * 1000, 3) : null);
  const total = Object.values(seconds).reduce((sum, value) => sum + value, 0);
  return {
    orders,
    cpuSeconds: Object.fromEntries(Object.entries(seconds).map(([name, value]) => [name, round(value)])),
    cpuSecondsPer1000Orders: Object.fromEntries(Object.entries(seconds).map(([name, value]) => [name, per1000(value)])),
    totalCpuSecondsPer1000Orders: per1000(total),
  };
}
