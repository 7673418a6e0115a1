// OS processes of the run: spawn a built app with its own log file, wait for /readyz,
// kill -9 and start again on the same ports.
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';

export { freePort } from './free-port.mjs';

export const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** One app instance; `start()` may be called again after it ended (same ports, same log file). */
export class AppProcess {
  constructor({ name, command, args, cwd, env, logDir }) {
    Object.assign(this, { name, command, args, cwd, env });
    this.logFile = join(logDir, `${name}.log`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.child = undefined;
    this.exits = []; // every end of this instance: { code, signal, expected }
    this.starts = 0;
  }

  get running() {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start() {
    this.starts += 1;
    this.log.write(`\n----- start #${this.starts} at ${new Date().toISOString()}\n`);
    const child = spawn(this.command, this.args, { cwd: this.cwd, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.expectedEnd = false;
    child.stdout.pipe(this.log, { end: false });
    child.stderr.pipe(this.log, { end: false });
    this.ended = new Promise((done) =>
      child.once('exit', (code, signal) => {
        this.exits.push({ code, signal, expected: this.expectedEnd });
        done({ code, signal });
      }),
    );
    child.once('error', (error) => this.log.write(`spawn error: ${error.message}\n`));
    return this;
  }

  /** Sends `signal` and waits for the end; SIGKILL after `graceMs`. */
  async stop(signal = 'SIGTERM', graceMs = 10_000) {
    if (!this.running) return;
    this.expectedEnd = true;
    this.child.kill(signal);
    const timer = setTimeout(() => this.running && this.child.kill('SIGKILL'), graceMs);
    await this.ended;
    clearTimeout(timer);
  }

  /** `kill -9`: no shutdown hook runs, in-flight work is cut off. */
  async kill9() {
    await this.stop('SIGKILL', 0);
  }

  /** Kills synchronously (process exit handler). */
  killNow() {
    if (this.running) {
      this.expectedEnd = true;
      this.child.kill('SIGKILL');
    }
  }

  unexpectedExits() {
    return this.exits.filter((exit) => !exit.expected);
  }

  tail(lines = 30) {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}

/** Waits until `url` answers 200; fails early when the process ends first. */
export async function waitReady(url, app, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (app && !app.running) throw new Error(`${app.name} exited before it was ready:\n${app.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      last = `${response.status} ${(await response.text()).slice(0, 300)}`;
      if (response.status === 200) return;
    } catch (error) {
      last = String(error?.cause?.code ?? error);
    }
    await sleep(200);
  }
  throw new Error(`${app?.name ?? url} not ready within ${timeoutMs} ms (last: ${last})${app ? `\n${app.tail()}` : ''}`);
}
