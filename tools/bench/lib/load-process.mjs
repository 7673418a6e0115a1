// Load is driven from a separate OS process: tools/bench/load/<script>.mjs gets its options
// as JSON in argv and prints its result as one JSON line prefixed with RESULT.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds } from './processes.mjs';

const LOAD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'load');
export const RESULT_PREFIX = 'RESULT ';

export function runLoad(script, options, { timeoutMs = 120_000, log = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(LOAD_DIR, script), JSON.stringify(options)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let cpu = 0;
    // The load process's own CPU tells whether the generator, not the server, was the limit.
    const sampler = setInterval(() => (cpu = cpuSeconds(child.pid) ?? cpu), 250);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      // The result is in: a client library still holding a socket must not keep the run waiting.
      if (stdout.includes(RESULT_PREFIX) && stdout.endsWith('\n')) setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      for (const line of chunk.toString().split('\n')) if (line.trim()) log(`  [${script}] ${line}`);
    });
    child.once('exit', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
      if (!line) {
        reject(new Error(`${script} exited (${code ?? signal}) without a result; stderr: ${stderr.slice(-2000)}`));
        return;
      }
      const result = JSON.parse(line.slice(RESULT_PREFIX.length));
      resolve({ ...result, loadProcessCpuSeconds: Number(cpu.toFixed(2)) });
    });
  });
}

/** For the load scripts: their options, and how they hand back the result. */
export function loadOptions() {
  return JSON.parse(process.argv[2] ?? '{}');
}

export function printResult(result) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}
