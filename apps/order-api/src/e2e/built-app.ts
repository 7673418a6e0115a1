import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { freePort } from '@oms/testing';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** End-to-end helpers: build an app with Nx, run its bundle as an OS process, watch it. */

export const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

export type AppName = 'order-api' | 'outbox-relay' | 'saga-orchestrator' | 'standalone' | 'partner-mocks' | 'migrator';

/**
 * `nx build <app>` (a cache hit when nothing changed); returns the bundle to run. Test files
 * running in parallel take turns, so that no two builds write the same dist folder at once.
 */
export function buildApp(app: AppName): string {
  const build = withBuildLock(() =>
    spawnSync('npx', ['nx', 'build', app, '--outputStyle=static'], { cwd: WORKSPACE_ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }),
  );
  const main = join(WORKSPACE_ROOT, 'dist', 'apps', app, 'main.cjs');
  if (build.status !== 0 || !existsSync(main)) {
    throw new Error(`nx build ${app} failed (exit ${build.status}):\n${build.stdout}\n${build.stderr}`);
  }
  return main;
}

const BUILD_LOCK = join(tmpdir(), 'oms-e2e-build.lock');
const STALE_LOCK_MS = 10 * 60_000;

function withBuildLock<T>(work: () => T): T {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a killed test run must not block every later one.
      if (Date.now() - statSync(BUILD_LOCK).mtimeMs > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else Atomics.wait(pause, 0, 0, 250);
    }
  }
  try {
    return work();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

export { freePort };

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Date.now() when the process ended. */
  readonly at: number;
}

export interface AppProcess {
  readonly child: ChildProcess;
  readonly opsUrl: string;
  readonly httpUrl: string;
  readonly grpcAddress: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  readonly exited: Promise<Exit>;
  /** Sends the signal (default SIGTERM) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/**
 * Runs a built app (with `args`, e.g. a migrator command) with exactly `variables` as its
 * environment (nothing inherited, so the test decides every OMS_* value) on fresh ports for
 * HTTP, gRPC and ops.
 */
export async function startApp(main: string, variables: Readonly<Record<string, string>>, args: readonly string[] = []): Promise<AppProcess> {
  const [http, grpc, ops] = [await freePort(), await freePort(), await freePort()];
  const env = {
    OMS_HTTP_ADDR: `127.0.0.1:${http}`,
    OMS_GRPC_ADDR: `127.0.0.1:${grpc}`,
    OMS_METRICS_ADDR: `127.0.0.1:${ops}`,
    ...variables,
  };
  const child = spawn(process.execPath, ['--enable-source-maps', main, ...args], { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  const exited = new Promise<Exit>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, at: Date.now() })),
  );
  return {
    child,
    opsUrl: `http://127.0.0.1:${ops}`,
    httpUrl: `http://127.0.0.1:${http}`,
    grpcAddress: `127.0.0.1:${grpc}`,
    output: () => chunks.join(''),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Polls `probe` until it returns a value (not undefined); fails with `what` after timeoutMs. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await new Promise((done) => setTimeout(done, everyMs));
  }
}

/** Waits until /readyz answers 200, or fails with the app's output when it exits first. */
export async function waitUntilReady(app: AppProcess, timeoutMs = 60_000): Promise<void> {
  let exit: Exit | undefined;
  void app.exited.then((value) => (exit = value));
  await waitFor(
    `${app.opsUrl}/readyz`,
    async () => {
      if (exit) throw new Error(`the app exited (${exit.code ?? exit.signal}) before it was ready:\n${app.output()}`);
      const response = await fetch(`${app.opsUrl}/readyz`);
      await response.text();
      return response.status === 200 ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

export interface Answer {
  readonly status: number;
  readonly text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies loosely
  readonly body: Record<string, any>;
}

/** One REST call; `key` becomes the Idempotency-Key header. */
export async function call(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { status: response.status, text, body: parsed };
}

export const anOrder = (customerId: string, sku = 'SKU-1') => ({
  customerId,
  currency: 'EUR',
  items: [{ sku, qty: 1, price: { currency: 'EUR', amountMinor: '1250' } }],
});
