// CPU seconds (utime + stime from /proc/<pid>/stat) spent by each process during a section,
// including the PostgreSQL backends serving the benchmark database.
import { readdirSync, readFileSync } from 'node:fs';
import { backendPids } from './postgres.mjs';
import { cpuSeconds } from './processes.mjs';
import { round } from './stats.mjs';

export class CpuMeter {
  /** `postmasterPid`: the bench's private cluster, whose every process then counts. */
  constructor(topology, database, postmasterPid) {
    this.topology = topology;
    this.database = database;
    this.postmasterPid = postmasterPid;
  }

  async snapshot() {
    const apps = new Map(this.topology.running().map((process_) => [process_.name, { pid: process_.pid, cpu: cpuSeconds(process_.pid) ?? 0 }]));
    const backends = new Map((await backendPids(this.database)).map((pid) => [pid, cpuSeconds(pid) ?? 0]));
    const cluster = this.postmasterPid ? clusterCpuSeconds(this.postmasterPid) : null;
    return { apps, backends, cluster, machine: machineBusy(), at: Date.now() };
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
    // The rest of the private cluster: WAL writer, checkpointer, autovacuum, the bench's own connections.
    if (before.cluster !== null && after.cluster !== null) seconds['postgres (other processes)'] = Math.max(0, after.cluster - before.cluster - postgres);
    return seconds;
  }

  /** CPU seconds the whole machine was busy (every process: ours, the load generator, other users). */
  async machineSince(before) {
    const busy = machineBusy() - before.machine;
    return { busyCpuSeconds: round(busy), wallSeconds: round((Date.now() - before.at) / 1000) };
  }
}

/**
 * CPU seconds of a PostgreSQL cluster so far: the postmaster, its living children, and (as the
 * postmaster's cutime + cstime) every child that already exited, so no short-lived worker is missed.
 */
function clusterCpuSeconds(postmasterPid) {
  const fields = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  const own = fields(postmasterPid);
  if (!own) return null;
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = fields(entry);
    if (child && Number(child[1]) === postmasterPid) ticks += Number(child[11]) + Number(child[12]);
  }
  return ticks / 100;
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
