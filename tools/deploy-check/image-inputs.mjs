// Proves what deploy/Dockerfile would put in each image, without a Docker engine:
//   1. `nx build APP --prod` (the build stage),
//   2. the dist folder plus `npm install --omit=dev` from its pruned package.json and lockfile
//      in a fresh folder (the prod-deps and runtime stages),
//   3. every package the bundle requires resolves from that folder alone,
//   4. the app starts from that folder as `node <folder>` (the image's entrypoint): a server
//      answers /livez on its ops port and exits 0 on SIGTERM (order-api with its console on
//      serves /console/ too); the migrator applies the migrations to a fresh database.
//   node tools/deploy-check/image-inputs.mjs [app...]
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { freePort } from '../e2e/lib/free-port.mjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requiredPackages } from './checks.mjs';
import { ROOT } from './lib.mjs';

const SERVERS = ['order-api', 'outbox-relay', 'saga-orchestrator', 'partner-mocks'];
const ALL = [...SERVERS, 'migrator'];
const apps = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
const START_TIMEOUT_MS = 45_000;
const SHUTDOWN_TIMEOUT_S = 5;

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited ${result.status ?? result.signal}\n${output}`);
  }
  return result.stdout;
}


const sleep = (ms) => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

function stageImage(app, stageRoot) {
  run('npx', ['nx', 'build', app, '--prod', '--outputStyle=static'], { env: { ...process.env, NX_DAEMON: 'false', FORCE_COLOR: '0' } });
  const dist = join(ROOT, 'dist/apps', app);
  const manifest = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
  if (!existsSync(join(dist, 'package-lock.json'))) throw new Error('the build produced no pruned package-lock.json');
  if (manifest.devDependencies && Object.keys(manifest.devDependencies).length > 0) {
    throw new Error(`pruned package.json lists devDependencies: ${Object.keys(manifest.devDependencies).join(', ')}`);
  }
  const stage = join(stageRoot, app);
  cpSync(dist, stage, { recursive: true });
  // As the Dockerfile's build stage: the console's build, when the app's build made one, beside the bundle.
  const consoleBuild = join(ROOT, 'dist/apps/console');
  if (app === 'order-api' && existsSync(join(consoleBuild, 'index.html'))) cpSync(consoleBuild, join(stage, 'console'), { recursive: true });
  run('npm', ['install', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: stage,
  });
  const main = join(stage, manifest.main ?? 'main.js');
  if (!existsSync(main)) throw new Error(`package.json main ${manifest.main} does not exist`);
  const resolveFromStage = createRequire(main);
  const missing = requiredPackages(readFileSync(main, 'utf8')).filter((name) => {
    try {
      resolveFromStage.resolve(name);
      return false;
    } catch {
      try {
        resolveFromStage.resolve(`${name}/package.json`);
        return false;
      } catch {
        return true;
      }
    }
  });
  if (missing.length > 0) throw new Error(`not installed by the pruned manifest: ${missing.join(', ')}`);
  return { stage, dependencies: Object.keys(manifest.dependencies ?? {}).length };
}

function baseEnv() {
  // Only PATH and HOME from the outside: the image starts from a clean environment too.
  return { PATH: process.env.PATH, HOME: tmpdir(), NODE_ENV: 'production', LOG_LEVEL: 'warn' };
}

async function smokeServer(app, stage) {
  const metrics = await freePort();
  const env = {
    ...baseEnv(),
    OMS_METRICS_ADDR: `127.0.0.1:${metrics}`,
    OMS_HTTP_ADDR: `127.0.0.1:${await freePort()}`,
    OMS_GRPC_ADDR: `127.0.0.1:${await freePort()}`,
    OMS_SHUTDOWN_TIMEOUT: `${SHUTDOWN_TIMEOUT_S}s`,
    ...(app === 'order-api' ? { OMS_CONSOLE_ENABLED: 'true' } : {}),
  };
  const child = spawn(process.execPath, [stage], { cwd: tmpdir(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit({ code, signal })));
  const tail = () => output.trim().split('\n').slice(-15).join('\n');
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let live = false;
    while (!live && Date.now() < deadline && child.exitCode === null) {
      live = await fetch(`http://127.0.0.1:${metrics}/livez`).then((response) => response.status === 200, () => false);
      if (!live) await sleep(500);
    }
    if (!live) throw new Error(`/livez on the ops port did not answer 200 within ${START_TIMEOUT_MS / 1000}s\n${tail()}`);
    if (env.OMS_CONSOLE_ENABLED) {
      const page = await fetch(`http://${env.OMS_HTTP_ADDR}/console/`).then((response) => response.text());
      if (!page.includes('<title>OMS console</title>')) throw new Error(`the console is not served at /console/\n${tail()}`);
    }
    child.kill('SIGTERM');
    const result = await Promise.race([exited, sleep((SHUTDOWN_TIMEOUT_S + 10) * 1000).then(() => null)]);
    if (result === null) throw new Error(`did not exit within ${SHUTDOWN_TIMEOUT_S + 10}s of SIGTERM\n${tail()}`);
    if (result.code !== 0) throw new Error(`exit ${result.code ?? result.signal} after SIGTERM (expected 0)\n${tail()}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

async function smokeMigrator(stage) {
  const adminDsn = process.env.OMS_TEST_POSTGRES_DSN ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const { Client } = createRequire(join(ROOT, 'package.json'))('pg');
  const database = `oms_image_check_${process.pid}_${Date.now()}`;
  const admin = new Client({ connectionString: adminDsn });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(adminDsn);
    url.pathname = `/${database}`;
    const env = { ...baseEnv(), OMS_STORAGE_DRIVER: 'postgres', OMS_POSTGRES_DSN: url.toString() };
    run(process.execPath, [stage, 'up'], { cwd: tmpdir(), env });
    run(process.execPath, [stage, 'status'], { cwd: tmpdir(), env });
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

const stageRoot = mkdtempSync(join(tmpdir(), 'oms-image-inputs-'));
let failed = 0;
try {
  for (const app of apps) {
    if (!ALL.includes(app)) {
      console.log(`FAIL ${app}: not an app with an image (${ALL.join(', ')})`);
      failed += 1;
      continue;
    }
    try {
      const { stage, dependencies } = stageImage(app, stageRoot);
      if (SERVERS.includes(app)) await smokeServer(app, stage);
      else await smokeMigrator(stage);
      console.log(`ok   ${app}: nx build --prod, ${dependencies} pruned dependencies installed, starts from the staged image folder`);
    } catch (error) {
      failed += 1;
      console.log(`FAIL ${app}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
} finally {
  rmSync(stageRoot, { recursive: true, force: true });
}
console.log(`image-inputs: ${apps.length - failed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
