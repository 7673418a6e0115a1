// What a process that never got ready was doing: the kernel's view of it (state, wait channel,
// CPU so far) and, from a Node diagnostic report asked for by signal, its event loop's active
// handles and the peers of its TCP connections (what an idle start-up waits on: PostgreSQL, the
// broker). Node writes such a report from a signal listener, so an answer means the main thread
// was idle in its event loop; none means it is stuck outside it (the kernel's view says where).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpuSeconds } from './processes.mjs';

const REPORT_SIGNAL = 'SIGUSR2';

/** Node flags that make REPORT_SIGNAL write a report into `dir`; nothing runs until the signal comes. */
export const reportOnSignalArgs = (dir) => ['--report-on-signal', `--report-signal=${REPORT_SIGNAL}`, `--report-directory=${dir}`];

const reportsOf = (dir, pid) => readdirSync(dir).filter((file) => file.startsWith('report.') && file.includes(`.${pid}.`) && file.endsWith('.json'));

function read(path) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function kernelView(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (stat === null) return 'gone from /proc';
  const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  const wchan = read(`/proc/${pid}/wchan`);
  return `state ${state}, wait channel ${wchan && wchan !== '0' ? wchan : 'not shown'}, CPU ${cpuSeconds(pid) ?? '?'} s`;
}

/** The report's main points: active handles by type, the TCP peers, CPU used. */
function summarize(report) {
  const handles = {};
  const peers = [];
  for (const handle of report.libuv ?? []) {
    if (!handle.is_active) continue;
    handles[handle.type] = (handles[handle.type] ?? 0) + 1;
    const remote = handle.remoteEndpoint;
    if (handle.type === 'tcp' && remote) peers.push(`${remote.ip4 ?? remote.ip6 ?? remote.host}:${remote.port}`);
  }
  return [
    `    active handles: ${JSON.stringify(handles)}`,
    `    TCP peers: ${peers.length > 0 ? peers.join(', ') : '(none)'}`,
    `    CPU user/kernel s: ${report.resourceUsage?.userCpuSeconds ?? '?'} / ${report.resourceUsage?.kernelCpuSeconds ?? '?'}`,
  ].join('\n');
}

/**
 * Asks a process for a report when it was started with reportOnSignalArgs (`reportsOnSignal`; the
 * signal would end any other), and says what it was doing; never throws.
 */
export async function diagnosticSummary(managed, waitMs = 3_000) {
  try {
    const kernel = kernelView(managed.pid);
    if (!managed.running) return `  ${managed.name}: exited (${kernel})`;
    if (!managed.reportsOnSignal) return `  ${managed.name}: ${kernel}`;
    const dir = dirname(managed.logPath);
    const before = new Set(reportsOf(dir, managed.pid));
    managed.child.kill(REPORT_SIGNAL);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && managed.running) {
      const file = reportsOf(dir, managed.pid).find((name) => !before.has(name));
      let report;
      try {
        report = file && JSON.parse(readFileSync(join(dir, file), 'utf8'));
      } catch {
        report = undefined; // still being written
      }
      if (report) return `  ${managed.name} (${kernel}), idle in its event loop; diagnostic report ${join(dir, file)}:\n${summarize(report)}`;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!managed.running) return `  ${managed.name}: exited while asked for a report (${kernel})`;
    return `  ${managed.name} (${kernel}): no diagnostic report within ${waitMs} ms: its main thread is busy or blocked outside its event loop`;
  } catch (error) {
    return `  ${managed.name}: no diagnosis (${error.message})`;
  }
}
