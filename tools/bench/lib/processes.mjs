// OS processes of a benchmark run: spawn, wait for readiness, sample /proc, stop.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnosticSummary } from './diagnostic-report.mjs';

const CLOCK_TICKS = 100; // USER_HZ on Linux x86-64 (getconf CLK_TCK)

export { freePort } from '../../e2e/lib/free-port.mjs';

/** utime + stime of a process in seconds, or null when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** VmHWM (peak resident set) and VmRSS of a process in MiB, or null when it is gone. */
export function memoryMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    const peakRss = kb('VmHWM') / 1024;
    // A process that exited but is not reaped yet (zombie) has no Vm* lines any more.
    return Number.isFinite(peakRss) ? { peakRss, rss: kb('VmRSS') / 1024 } : null;
  } catch {
    return null;
  }
}

/**
 * One managed process. Its output goes to a log file; its peak RSS is read from VmHWM
 * (kept by the kernel) and, as a fallback after exit, from the last sample taken.
 */
export class ManagedProcess {
  constructor({ name, command, args, env, cwd, logDir, reportsOnSignal = false }) {
    this.name = name;
    /** Started with reportOnSignalArgs: the report signal writes a diagnostic report instead of ending it. */
    this.reportsOnSignal = reportsOnSignal;
    this.logPath = join(logDir, `${name}.log`);
    const log = createWriteStream(this.logPath);
    this.child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.lastMemory = null;
    this.lastCpu = 0;
    this.child.stdout.pipe(log, { end: false });
    this.child.stderr.pipe(log, { end: false });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.exitSignal = signal;
        log.end();
        resolve({ code, signal });
      });
    });
  }

  get running() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Takes a sample of memory and CPU (kept for reporting after the process ended). */
  sample() {
    const memory = memoryMiB(this.pid);
    if (memory) this.lastMemory = memory;
    const cpu = cpuSeconds(this.pid);
    if (cpu !== null) this.lastCpu = cpu;
    return { memory: this.lastMemory, cpu: this.lastCpu };
  }

  /** The first line of stdout (kafka-mock prints its bootstrap address there). */
  firstLine(timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`${this.name}: no output within ${timeoutMs} ms`)), timeoutMs);
      const onData = (chunk) => {
        text += chunk.toString();
        const newline = text.indexOf('\n');
        if (newline >= 0) {
          clearTimeout(timer);
          this.child.stdout.off('data', onData);
          resolve(text.slice(0, newline).trim());
        }
      };
      this.child.stdout.on('data', onData);
      this.exited.then(({ code }) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited with code ${code} (log: ${this.logPath})`));
      });
    });
  }

  /** SIGTERM (graceful shutdown), then SIGKILL after the grace period. */
  async stop(graceMs = 15_000) {
    if (!this.running) return this.exited;
    this.sample();
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), graceMs);
    const result = await this.exited;
    clearTimeout(timer);
    return result;
  }
}

/** Polls an HTTP URL until it answers 200 (the apps' /readyz). */
export async function waitReady(url, { timeoutMs = 60_000, process } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (process && !process.running) {
      throw new Error(`${process.name} exited (code ${process.exitCode}) before ${url} was ready; log: ${process.logPath}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
      if (response.status === 200) return;
    } catch (error) {
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  // Where it waits, for a start-up that hangs (once seen in CI with an empty log).
  const diagnosis = process ? `\n${await diagnosticSummary(process)}` : '';
  throw new Error(`${url} not ready within ${timeoutMs} ms (last answer: ${last})${diagnosis}`);
}

/** Samples every process periodically so that peak RSS survives a process that is stopped early. */
export class Sampler {
  constructor(processes, intervalMs = 500) {
    this.processes = processes;
    this.timer = setInterval(() => this.sampleAll(), intervalMs);
    this.timer.unref();
  }

  sampleAll() {
    for (const process of this.processes()) if (process.running) process.sample();
  }

  stop() {
    clearInterval(this.timer);
  }
}
