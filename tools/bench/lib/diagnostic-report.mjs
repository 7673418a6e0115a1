// What a process that never got ready was doing: a Node diagnostic report asked for by signal,
// and the kernel's view (state, wait channel, CPU so far) for one whose main thread cannot answer.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpuSeconds } from './processes.mjs';

const REPORT_SIGNAL = 'SIGUSR2';

/** Node flags that make REPORT_SIGNAL write a report into `dir`; nothing runs until the signal comes. */
export const reportOnSignalArgs = (dir) => ['--report-on-signal', `--report-signal=${REPORT_SIGNAL}`, `--report-directory=${dir}`];

const reportsOf = (dir, pid) => readdirSync(dir).filter((file) => file.startsWith('report.') && file.includes(`.${pid}.`) && file.endsWith('.json'));

function kernelView(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    const wchan = readFileSync(`/proc/${pid}/wchan`, 'utf8').trim() || '-';
    return `state ${state}, wait channel ${wchan}, CPU ${cpuSeconds(pid)} s`;
  } catch {
    return 'gone from /proc';
  }
}

/** The report's main points: the JS stack, the event loop's active handles by type, CPU used. */
function summarize(report) {
  const stack = (report.javascriptStack?.stack ?? []).slice(0, 12).map((frame) => `      ${frame.trim()}`);
  const handles = {};
  for (const handle of report.libuv ?? []) if (handle.is_active) handles[handle.type] = (handles[handle.type] ?? 0) + 1;
  return [
    `    JS stack: ${report.javascriptStack?.message || '(none: the main thread waits in the event loop, not in JavaScript)'}`,
    ...stack,
    `    active handles: ${JSON.stringify(handles)}`,
    `    CPU user/kernel s: ${report.resourceUsage?.userCpuSeconds ?? '?'} / ${report.resourceUsage?.kernelCpuSeconds ?? '?'}`,
  ].join('\n');
}

/** Asks a node process started with reportOnSignalArgs for a report; its summary, or why there is none. */
export async function diagnosticSummary(managed, waitMs = 3_000) {
  const dir = dirname(managed.logPath);
  const before = new Set(reportsOf(dir, managed.pid));
  const kernel = kernelView(managed.pid);
  if (!managed.running) return `  ${managed.name}: exited (${kernel})`;
  managed.child.kill(REPORT_SIGNAL);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const file = reportsOf(dir, managed.pid).find((name) => !before.has(name));
    if (file) {
      try {
        const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
        return `  ${managed.name} (${kernel}), diagnostic report ${join(dir, file)}:\n${summarize(report)}`;
      } catch {
        // still being written
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return `  ${managed.name} (${kernel}): no diagnostic report within ${waitMs} ms (its main thread did not take the signal)`;
}
