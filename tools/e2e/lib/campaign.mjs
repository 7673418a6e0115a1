// What the end-to-end and chaos runners share: building and copying the bundles, starting an app
// on its own ports, starting one again as an orchestrator would, and the run's last lines.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppProcess, freePort, sleep, waitReady } from './processes.mjs';
import { MOCK_BROKER_CRASHED, MockBrokerCrashed } from './kafka.mjs';

export const APPS = ['migrator', 'partner-mocks', 'order-api', 'outbox-relay', 'saga-orchestrator'];
const BUILD_LOCK = join(tmpdir(), 'oms-e2e-build.lock'); // shared with apps/order-api/src/e2e/built-app.ts

/**
 * Builds the apps whose bundle is missing from `sourceDist` (all with `rebuild`), one build at a
 * time across runs, then copies them under `runDir` so that a rebuild by someone else mid-run
 * changes nothing here. Returns the copy's folder.
 */
export function prepareBundles({ root, sourceDist, runDir, explicitDist, rebuild = false, say }) {
  const missing = rebuild ? APPS : APPS.filter((app) => !existsSync(join(sourceDist, app, 'main.cjs')));
  if (missing.length > 0) {
    if (explicitDist) throw new Error(`--dist ${sourceDist} lacks ${missing.join(', ')}`);
    say(`building ${missing.join(', ')}`);
    buildUnderLock(root, missing);
  }
  const dist = join(runDir, 'dist');
  for (const app of APPS) cpSync(join(sourceDist, app), join(dist, app), { recursive: true });
  return dist;
}

function buildUnderLock(root, apps) {
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock left by a killed build must not block every later run.
      if (Date.now() - statSync(BUILD_LOCK).mtimeMs > 10 * 60_000) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else execFileSync('sleep', ['1']);
    }
  }
  try {
    execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...apps, '--outputStyle=static'], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(`nx build failed:\n${String(error.stdout ?? '').slice(-4000)}${String(error.stderr ?? '').slice(-2000)}`);
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** The environment every app gets; the bundles keep third-party packages external. */
export const baseEnvOf = (root, logLevel) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_PATH: join(root, 'node_modules'),
  NODE_ENV: 'production',
  LOG_LEVEL: logLevel,
  OMS_SHUTDOWN_TIMEOUT: '5s',
});

/** PostgreSQL storage and the Kafka driver against the mock cluster (`kafkaEnv`: its TLS / SASL settings). */
export const omsEnvOf = ({ dsn, brokers, kafkaEnv = {} }) => (poolMax) => ({
  OMS_STORAGE_DRIVER: 'postgres',
  OMS_POSTGRES_DSN: dsn,
  OMS_POSTGRES_POOL_MAX: String(poolMax),
  OMS_BROKER_DRIVER: 'kafka',
  KAFKA_BROKERS: brokers,
  OMS_KAFKA_IDEMPOTENT: 'false', // the mock cluster has no idempotent producer
  ...kafkaEnv,
});

/** `parseArgs(config)`, a bad option answered with one line and exit 2 instead of a stack trace. */
export function parseArgsOrExit(label, config) {
  try {
    return parseArgs(config);
  } catch (error) {
    console.error(`${label}: ${error.message}`);
    process.exit(2);
  }
}

/**
 * Never leaves processes behind: Ctrl-C / SIGTERM run `cleanUp` (logs kept), and an exit by an
 * uncaught error kills what `run` still holds (apps, the broker, a private PostgreSQL).
 */
export function cleanUpOnExit(run, cleanUp, say = () => undefined) {
  process.on('exit', () => {
    for (const app of run.processes) app.killNow();
    run.kafka?.killNow();
    run.pg?.killNow();
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      say(`${signal}: cleaning up`);
      cleanUp(true).finally(() => process.exit(130));
    });
  }
}

/**
 * An orchestrator's restart policy while `run.supervising`: a supervised process that ended on
 * its own (not one a fault killed) is started again with `restart`; every such end is reported
 * by the crash check. Resolves once supervising stops.
 */
export async function restartWhatEnds(run, restart, say) {
  while (run.supervising) {
    for (const app of run.processes) {
      if (run.supervising && app.supervised && !app.running && !app.restarting) {
        app.restarting = true;
        say(`${app.name} ended on its own (${JSON.stringify(app.exits.at(-1))}); restarting it`);
        app.restarts.push(Date.now());
        restart(app)
          .catch((error) => say(`${app.name} did not come back: ${error.message.split('\n')[0]}`))
          .finally(() => (app.restarting = false));
      }
    }
    await sleep(500);
  }
}

/** `startApp(name, app, env, extra)`: starts a bundle on free ports; `extra` is kept on the process. */
export function appStarter({ root, dist, logDir, baseEnv, processes, nodeArgs = () => [] }) {
  return async (name, app, env, extra = {}) => {
    const ports = { http: await freePort(), grpc: await freePort(), metrics: await freePort() };
    const process_ = new AppProcess({
      name,
      command: process.execPath,
      args: ['--enable-source-maps', ...nodeArgs(app), join(dist, app, 'main.cjs')],
      cwd: root,
      logDir,
      env: {
        ...baseEnv,
        OMS_SERVICE_NAME: name,
        OMS_HTTP_ADDR: `127.0.0.1:${ports.http}`,
        OMS_GRPC_ADDR: `127.0.0.1:${ports.grpc}`,
        OMS_METRICS_ADDR: `127.0.0.1:${ports.metrics}`,
        ...env,
      },
    });
    Object.assign(process_, { ports, readyUrl: `http://127.0.0.1:${ports.metrics}/readyz`, ...extra });
    processes.push(process_);
    return process_.start();
  };
}

/**
 * Starts a stopped process again as an orchestrator would (restartPolicy Always): a start that
 * fails is retried, at most 3 times; each failed start goes to `startupFailures` for the summary.
 */
export async function superviseStart(app, { startupFailures, say }) {
  for (let attempt = 1; ; attempt++) {
    app.start();
    try {
      await waitReady(app.readyUrl, app, 120_000);
      return;
    } catch (error) {
      if (app.running || attempt >= 3) throw error;
      await app.ended;
      const exit = app.exits.at(-1);
      exit.startupFailure = true;
      const reason = app.tail(5).split('\n').find((line) => /failed to start/.test(line)) ?? `exit ${exit.code ?? exit.signal}`;
      startupFailures.push(`${app.name} start #${app.starts}: ${reason.slice(0, 200)}`);
      say(`${app.name} failed to start again (${reason.slice(0, 160)}); starting it once more`);
      await sleep(1_000);
    }
  }
}

/**
 * Runs `main`, cleans up (logs kept on failure or when asked), prints `<label>: N passed, N failed`
 * and exits 1 on any failure, also after an unhandled rejection.
 */
export async function finishRun({ label, main, cleanUp, processes, elapsed, keepLogs }) {
  process.on('unhandledRejection', (error) => {
    console.error(`${label}: unhandled rejection: ${error?.stack ?? error}`);
    cleanUp(true).finally(() => {
      console.log(`${label}: 0 passed, 1 failed (${elapsed()})`);
      process.exit(1);
    });
  });
  let result = { passed: 0, failed: 1 };
  let exitCode;
  try {
    result = await main();
  } catch (error) {
    if (error instanceof MockBrokerCrashed) {
      console.error(`${label}: the run stopped: ${error.message} (a test double, not OMS: exit ${MOCK_BROKER_CRASHED})`);
      exitCode = MOCK_BROKER_CRASHED;
    } else {
      console.error(`${label}: the run failed: ${error?.stack ?? error}`);
      for (const app of processes) console.error(`--- ${app.name} (${app.logFile})\n${app.tail(20)}`);
    }
  }
  await cleanUp(keepLogs || result.failed > 0);
  console.log(`${label}: ${result.passed} passed, ${result.failed} failed (${elapsed()})`);
  process.exit(exitCode ?? (result.failed > 0 ? 1 : 0));
}
