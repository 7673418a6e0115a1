// Built OMS apps as OS processes for the browser suite: started on free ports (port 0), known by
// the addresses their "ready" log line reports, stopped with SIGTERM.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const WORKSPACE_ROOT = resolve(import.meta.dirname, '../../..');

/**
 * Runs dist/apps/<app>/main.cjs with `env` and resolves once it logs that it is ready, with the
 * `listening` addresses of that line. Fails with the app's last log lines when it exits first or
 * is not ready within `timeoutMs`.
 */
export function startBuiltApp(app, env, { timeoutMs = 60_000 } = {}) {
  const main = join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.cjs');
  if (!existsSync(main)) throw new Error(`${main} is missing: build it first (npx nx build ${app})`);
  const child = spawn(process.execPath, [main], {
    cwd: WORKSPACE_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = [];
  const remember = (line) => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
  };
  createInterface({ input: child.stderr }).on('line', remember);
  return new Promise((resolveReady, reject) => {
    const timer = setTimeout(() => fail(`not ready within ${timeoutMs} ms`), timeoutMs);
    const fail = (why) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${app} ${why}; last lines:\n${lines.join('\n')}`));
    };
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    createInterface({ input: child.stdout }).on('line', (line) => {
      remember(line);
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry?.listening && typeof entry.listening === 'object') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolveReady({ child, listening: entry.listening, stop: () => stop(child) });
      }
    });
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** `http://0.0.0.0:1234` or `0.0.0.0:1234` -> `127.0.0.1:1234` (with the scheme kept). */
export const local = (url) => url.replace('0.0.0.0', '127.0.0.1').replace('[::]', '127.0.0.1');
