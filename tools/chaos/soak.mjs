#!/usr/bin/env node
// OMS soak: the chaos run's multi-process stack under a steady load at half the measured
// saturation rate for a long time, a fault every few minutes, and every app's memory, event
// loop, handles and pool plus the store's backlogs sampled each 10 s (see tools/chaos/README.md).
//
//   node tools/chaos/run.mjs --soak 20m [--keep-logs] [--dist DIR] [--out DIR]
//
// Fails when memory grows without bound (least-squares slope of RSS or heap over the last half
// above the limit) or a backlog is not back at zero after the drain; last line `soak: N passed, N failed`.
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkCrashes, eventsByOrder } from '../e2e/lib/audit.mjs';
import { appStarter, baseEnvOf, cleanUpOnExit, finishRun, parseArgsOrExit, omsEnvOf, prepareBundles, restartWhatEnds } from '../e2e/lib/campaign.mjs';
import { heapBoundArgs } from '../e2e/lib/heap-bound.mjs';
import { buildKafkaMock, startKafkaMock, waitForStableGroup } from '../e2e/lib/kafka.mjs';
import { createDatabase, dropDatabase, dsnOf, openPool } from '../e2e/lib/postgres.mjs';
import { sleep, waitReady } from '../e2e/lib/processes.mjs';
import { driveOrder, kindOf } from '../e2e/lib/workload.mjs';
import { startPrivatePostgres } from '../e2e/lib/private-postgres.mjs';
import { FailoverApiClient } from './lib/failover-client.mjs';
import { sampleBacklog, sampleProcesses } from './lib/metrics-sampler.mjs';
import { memorySlopes, minuteTable, svgPlot } from './lib/soak-report.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOPIC_SPECS = ['oms.order.events:12', 'oms.dlq:3', 'oms.saga.events:12'];
const KAFKA_MOCK_BINARY = join(tmpdir(), 'oms-e2e-kafka-mock', 'kafka-mock');
const SAGA_GROUP = 'oms-saga-orchestrator';
const DECLINE_ABOVE_MINOR = 1_000_000;
const SAGA_CALL_TIMEOUT_MS = 500;
const SAMPLE_EVERY_MS = 10_000;
/** Closed-loop orders in flight while measuring saturation: doubled until the rate grows by less than 10%. */
const CALIBRATION_IN_FLIGHT = { first: 12, last: 192, gain: 1.1 };
const SETTLE_TIMEOUT_MS = 180_000;

const { values: args } = parseArgsOrExit('soak', {
  options: {
    soak: { type: 'string' },
    dist: { type: 'string' },
    out: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
    'fault-every': { type: 'string' },
    // The limits of "grows without bound": 2 MiB/min of RSS is 2.8 GiB a day, 1 MiB/min of heap 1.4 GiB.
    'rss-slope-limit': { type: 'string', default: '2' },
    'heap-slope-limit': { type: 'string', default: '1' },
  },
});

/** `20m`, `90s`, `1h`, `500ms` of `option` in milliseconds; anything else is exit 2 naming the option. */
function durationOrExit(option, text) {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text ?? '').trim());
  if (!match) {
    console.error(`soak: ${option} takes a duration such as 20m, 90s or 1h, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2]];
}

const DURATION_MS = durationOrExit('--soak', args.soak);
// A fault every 3 minutes; a short run gets one halfway.
const FAULT_EVERY_MS = args['fault-every'] ? durationOrExit('--fault-every', args['fault-every']) : Math.min(180_000, DURATION_MS / 2);
const LIMITS = { rss: Number(args['rss-slope-limit']), heap: Number(args['heap-slope-limit']) };
// Memory is judged on the last half only when that half is long enough to tell a leak from warm-up.
const SLOPE_WINDOW = { warmupMin: 1, minSpanMin: 4 };
const JUDGED_FROM_MS = 10 * 60_000;
const CALIBRATION_MS = DURATION_MS >= JUDGED_FROM_MS ? 30_000 : 10_000; // per level

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line) => console.log(`[soak ${elapsed().padStart(7)}] ${line}`);

const run = { processes: [], kafka: undefined, pool: undefined, database: undefined, runDir: undefined, pg: undefined, supervising: false };
cleanUpOnExit(run, cleanUp, say);

async function cleanUp(keepLogs) {
  run.supervising = false;
  await Promise.all(run.processes.map((app) => app.stop('SIGTERM', 8_000).catch(() => undefined)));
  await run.kafka?.stop().catch(() => undefined);
  await run.pool?.end().catch(() => undefined);
  if (run.database && run.pg) await dropDatabase(run.database, run.pg.server).catch(() => undefined);
  if (run.pg && keepLogs && run.runDir) cpSync(run.pg.log, join(run.runDir, 'logs', 'postgres.log'));
  await run.pg?.stop();
  run.pg = undefined;
  if (run.runDir) {
    if (keepLogs) say(`logs kept in ${join(run.runDir, 'logs')}`);
    else rmSync(run.runDir, { recursive: true, force: true });
  }
}

async function main() {
  const outDir = resolve(args.out ?? mkdtempSync(join(tmpdir(), 'oms-soak-report-')));
  mkdirSync(outDir, { recursive: true });
  say(`soak ${DURATION_MS / 60_000} min, a fault every ${FAULT_EVERY_MS / 1000} s; limits RSS ${LIMITS.rss} MiB/min, heap ${LIMITS.heap} MiB/min; report in ${outDir}`);
  run.runDir = mkdtempSync(join(tmpdir(), 'oms-soak-'));
  const logDir = join(run.runDir, 'logs');
  mkdirSync(logDir);
  const dist = prepareBundles({ root: ROOT, sourceDist: resolve(args.dist ?? join(ROOT, 'dist', 'apps')), runDir: run.runDir, explicitDist: Boolean(args.dist), say });

  const pg = (run.pg = await startPrivatePostgres(run.runDir));
  say(`private PostgreSQL 15 cluster on port ${pg.port}`);
  run.database = await createDatabase(pg.server);
  const dsn = dsnOf(run.database, pg.server);
  // The binary's name carries a digest of its source: the path to start is the one returned.
  run.kafka = await startKafkaMock(buildKafkaMock(ROOT, KAFKA_MOCK_BINARY), TOPIC_SPECS, createWriteStream(join(logDir, 'kafka-mock.log')));

  const baseEnv = baseEnvOf(ROOT, args['log-level']);
  execFileSync(process.execPath, [join(dist, 'migrator', 'main.cjs'), 'migrate', 'up'], { cwd: ROOT, env: { ...baseEnv, OMS_POSTGRES_DSN: dsn }, stdio: ['ignore', 'pipe', 'pipe'] });
  run.pool = openPool(run.database, pg.server);
  run.pool.on('error', () => undefined); // idle clients die with the PostgreSQL restart

  // Each app with the heap bound its image gives it (deploy/node-start.sh), as it would run for days.
  const launch = appStarter({ root: ROOT, dist, logDir, baseEnv, processes: run.processes, nodeArgs: (app) => heapBoundArgs(ROOT, app) });
  const startApp = (name, app, env) => launch(name, app, env, { supervised: true, restarts: [] });
  const omsEnv = omsEnvOf({ dsn, brokers: run.kafka.brokers });
  const startupFailures = [];
  // A restart is given 5 minutes to be ready: a saga rejoining its group on a loaded machine can take minutes.
  const restart = async (app) => {
    app.start();
    await waitReady(app.readyUrl, app, 300_000);
  };

  const partners = await startApp('partner-mocks', 'partner-mocks', { OMS_PAYMENT_DECLINE_ABOVE_MINOR: String(DECLINE_ABOVE_MINOR) });
  await waitReady(partners.readyUrl, partners);
  const partnerAddr = `127.0.0.1:${partners.ports.grpc}`;
  const sagaEnv = {
    ...omsEnv(4),
    OMS_PARTNER_DRIVER: 'grpc',
    OMS_PARTNER_INVENTORY_ADDR: partnerAddr,
    OMS_PARTNER_PAYMENT_ADDR: partnerAddr,
    OMS_SAGA_CONSUMER_GROUP: SAGA_GROUP,
    OMS_SAGA_CALL_TIMEOUT: `${SAGA_CALL_TIMEOUT_MS}ms`,
  };
  const apis = [await startApp('order-api-1', 'order-api', omsEnv(6)), await startApp('order-api-2', 'order-api', omsEnv(6))];
  const relays = [await startApp('outbox-relay-1', 'outbox-relay', omsEnv(3)), await startApp('outbox-relay-2', 'outbox-relay', omsEnv(3))];
  // One saga after the other: two members joining at once make the mock coordinator rebalance for long.
  const sagas = [await startApp('saga-1', 'saga-orchestrator', sagaEnv)];
  await waitReady(sagas[0].readyUrl, sagas[0], 120_000);
  sagas.push(await startApp('saga-2', 'saga-orchestrator', sagaEnv));
  const omsApps = [...apis, ...relays, ...sagas];
  await Promise.all(omsApps.map((app) => waitReady(app.readyUrl, app, 120_000)));
  await waitForStableGroup(run.kafka.brokers, SAGA_GROUP, sagas.length, 120_000);
  say(`ready: ${run.processes.map((app) => `${app.name} (pid ${app.child.pid})`).join(', ')}`);

  // An orchestrator's restart policy; every such end fails the crash check.
  run.supervising = true;
  const watchdog = restartWhatEnds(run, restart, say);

  const runId = `soak-${Date.now().toString(36)}`;
  const httpStats = { requests: 0, polls: 0, retries: 0, connectionErrors: 0, serverErrors: 0 };
  const clients = apis.map((_, index) => new FailoverApiClient(apis, index, httpStats, { retryStatus: new Set([408, 429, 500, 502, 503, 504]) }));
  for (const client of clients.slice(1)) client.keysUsed = clients[0].keysUsed;
  const orders = [];
  let nextIndex = 0;
  let inFlight = 0;
  const placeOne = () => {
    const index = nextIndex++;
    inFlight += 1;
    return driveOrder(clients[index % clients.length], runId, index, kindOf(index), DECLINE_ABOVE_MINOR, SETTLE_TIMEOUT_MS, () => undefined)
      .then((order) => (orders.push(order), order))
      .finally(() => (inFlight -= 1));
  };
  const waitSettled = async (timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const backlog = await sampleBacklog(run.pool).catch(() => undefined);
      if ((backlog && backlog.outbox === 0 && backlog.sagas === 0 && backlog.open === 0 && inFlight === 0) || Date.now() > deadline) return backlog;
      await sleep(1_000);
    }
  };

  // ---- saturation: closed loops of more and more orders in flight; at each level the rate the
  // stack completes orders (create + pay accepted, and CONFIRMED / CANCELED in the store, the
  // lower of the two) is measured; the saturation rate is the highest, reached when doubling the
  // orders in flight adds less than 10%.
  const levels = [];
  for (let level = CALIBRATION_IN_FLIGHT.first; level <= CALIBRATION_IN_FLIGHT.last; level *= 2) {
    const seconds = CALIBRATION_MS / 1000;
    const doneBefore = (await sampleBacklog(run.pool)).done;
    const levelEnd = Date.now() + CALIBRATION_MS;
    let accepted = 0;
    await Promise.all(
      Array.from({ length: level }, async () => {
        while (Date.now() < levelEnd) {
          const order = await placeOne();
          if (order.errors.length === 0 && Date.now() <= levelEnd) accepted += 1;
        }
      }),
    );
    const completed = (await sampleBacklog(run.pool)).done - doneBefore;
    levels.push({ level, accepted: accepted / seconds, completed: completed / seconds, rate: Math.min(accepted, completed) / seconds });
    say(`saturation, ${level} in flight for ${seconds} s: accepted ${(accepted / seconds).toFixed(1)}/s, completed ${(completed / seconds).toFixed(1)}/s`);
    await waitSettled(SETTLE_TIMEOUT_MS);
    if (levels.length > 1 && levels.at(-1).rate < levels.at(-2).rate * CALIBRATION_IN_FLIGHT.gain) break;
  }
  const saturation = Math.max(...levels.map((entry) => entry.rate));
  const rate = Math.max(0.5, saturation / 2);
  say(`saturation ${saturation.toFixed(1)} orders/s; soak load ${rate.toFixed(1)} orders/s`);
  const calibrationOrders = orders.length;

  // ---- faults: a kill -9 of a second instance (the first ones keep an unbroken memory series), PostgreSQL, the partners
  const postFaults = async (settings) => {
    const response = await fetch(`http://127.0.0.1:${partners.ports.http}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(settings) });
    if (response.status !== 200) throw new Error(`POST /faults ${JSON.stringify(settings)}: ${response.status}`);
  };
  const kills = [];
  // At a steady half load the store is often between orders; the kill waits (up to 30 s) for
  // one to be open, so each kill lands mid-work as the crash check demands.
  const openOrders = async () => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { open } = await sampleBacklog(run.pool);
      if (open > 0 || Date.now() > deadline) return open;
      await sleep(50);
    }
  };
  const killAndRestart = async (app) => {
    const inFlightOrders = await openOrders();
    app.supervised = false;
    await app.kill9();
    const exit = app.exits.at(-1);
    const kill = { name: app.name, signal: exit.signal, code: exit.code, inFlightOrders, restartedReady: false };
    kills.push(kill);
    await sleep(2_000);
    await restart(app);
    kill.restartedReady = true;
    app.supervised = true;
  };
  const holdPartnerFault = async (settings, reset) => {
    await postFaults(settings);
    await sleep(20_000);
    await postFaults(reset);
  };
  const FAULTS = [
    { name: 'kill -9 saga-2', inject: () => killAndRestart(sagas[1]) },
    { name: 'partner errors 50% for 20 s', inject: () => holdPartnerFault({ errorRate: 0.5 }, { errorRate: 0 }) },
    { name: 'kill -9 order-api-2', inject: () => killAndRestart(apis[1]) },
    { name: 'PostgreSQL restart', inject: () => pg.restart() },
    { name: 'kill -9 outbox-relay-2', inject: () => killAndRestart(relays[1]) },
    { name: `partner latency ${SAGA_CALL_TIMEOUT_MS * 3} ms for 20 s`, inject: () => holdPartnerFault({ latencyMs: SAGA_CALL_TIMEOUT_MS * 3 }, { latencyMs: 0 }) },
  ];

  // ---- the soak: open loop at `rate`, sampling each 10 s, a fault every FAULT_EVERY_MS
  const soakStart = Date.now();
  const tMin = () => (Date.now() - soakStart) / 60_000;
  const samples = [];
  const faults = [];
  const faultErrors = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const [apps, backlog] = await Promise.all([sampleProcesses(omsApps), sampleBacklog(run.pool).catch(() => undefined)]);
      if (backlog) samples.push({ tMin: tMin(), phase: Date.now() - soakStart < DURATION_MS ? 'load' : 'drain', apps, backlog, inFlight });
      await sleep(SAMPLE_EVERY_MS - ((Date.now() - soakStart) % SAMPLE_EVERY_MS));
    }
  })();
  const faulting = (async () => {
    for (let k = 0, at = FAULT_EVERY_MS / 2; at < DURATION_MS - FAULT_EVERY_MS / 2; k++, at += FAULT_EVERY_MS) {
      await sleep(soakStart + at - Date.now());
      const fault = FAULTS[k % FAULTS.length];
      faults.push({ tMin: tMin(), name: fault.name });
      say(`fault ${k + 1}: ${fault.name}`);
      await fault.inject().catch((error) => faultErrors.push(`${fault.name}: ${error.message.split('\n')[0]}`));
    }
  })();
  const pending = [];
  let behind = 0;
  const maxInFlight = Math.max(16, Math.ceil(rate * 20));
  for (let i = 0; Date.now() - soakStart < DURATION_MS; i++) {
    const due = soakStart + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    if (inFlight >= maxInFlight) {
      behind += 1; // the stack is not keeping up: this order is skipped, and counted
      continue;
    }
    pending.push(placeOne());
    if (i % Math.max(1, Math.round(rate * 60)) === 0) say(`${tMin().toFixed(1)} min: ${orders.length - calibrationOrders} orders done, ${inFlight} in flight`);
  }
  say(`load stopped after ${tMin().toFixed(1)} min; waiting for the backlogs to drain`);
  await faulting;
  await Promise.all(pending);
  const finalBacklog = await waitSettled(SETTLE_TIMEOUT_MS);
  await sleep(SAMPLE_EVERY_MS); // one sample after the drain
  sampling = false;
  await sampler;
  run.supervising = false;
  await watchdog;

  // ---- verdicts
  const names = omsApps.map((app) => app.name);
  const loadSamples = samples.filter((sample) => sample.phase === 'load');
  const slopes = memorySlopes(loadSamples, names, SLOPE_WINDOW);
  const judgeMemory = DURATION_MS >= JUDGED_FROM_MS;
  const memoryProblems = [];
  for (const entry of slopes.filter((item) => item.judged)) {
    if (!(entry.rss <= LIMITS.rss)) memoryProblems.push(`${entry.name}: RSS ${entry.rss?.toFixed(2)} MiB/min`);
    if (!(entry.heap <= LIMITS.heap)) memoryProblems.push(`${entry.name}: heap ${entry.heap?.toFixed(2)} MiB/min`);
  }
  if (judgeMemory) {
    for (const app of omsApps.filter((item) => !kills.some((kill) => kill.name === item.name))) {
      if (!slopes.find((entry) => entry.name === app.name)?.judged) memoryProblems.push(`${app.name}: too few samples to judge`);
    }
  }
  const storeEvents = (await run.pool.query(`SELECT stream_id AS "streamId", version, type FROM events`)).rows;
  const duplicated = [...eventsByOrder(storeEvents)].filter(([, events]) => {
    const count = (type) => events.filter((event) => event.type === type).length;
    return count('OrderStockReserved') > 1 || count('OrderPaid') > 1 || count('OrderRefunded') > 1 || count('OrderStockReleased') > count('OrderStockReserved');
  });
  const sagaRows = (await run.pool.query(`SELECT status, count(*)::int AS n FROM sagas GROUP BY status`)).rows;
  const requestFailures = orders.flatMap((order) => order.errors.filter((error) => !/^cancel-after-confirm: the order reached CANCELED/.test(error)).map((error) => `order #${order.index}: ${error}`));
  const backlogProblems = [];
  if (!finalBacklog) backlogProblems.push('the store could not be read');
  else for (const [name, value] of Object.entries({ 'outbox pending': finalBacklog.outbox, 'sagas running': finalBacklog.sagas, 'orders open': finalBacklog.open })) if (value !== 0) backlogProblems.push(`${value} ${name}`);
  for (const row of sagaRows.filter((item) => !['COMPLETED', 'COMPENSATED'].includes(item.status))) backlogProblems.push(`${row.n} sagas ${row.status}`);

  const check = (name, problems, detail) => ({ name, ok: problems.length === 0, detail: problems.length ? problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; ... ${problems.length} in all` : '') : detail });
  const soakOrders = orders.length - calibrationOrders;
  const checks = [
    // A shared machine may lose capacity mid-run: orders the stack could not take (more than
    // MAX in flight) are skipped and counted; the run fails when that is a tenth of the plan.
    check(
      'the load was delivered: at most 10% of the planned orders skipped',
      behind > (soakOrders + behind) / 10 ? [`${behind} of ${soakOrders + behind} orders skipped: more than ${maxInFlight} in flight`] : [],
      `${soakOrders} orders at ${rate.toFixed(1)}/s planned, ${behind} skipped (more than ${maxInFlight} in flight)`,
    ),
    check('every create / pay / cancel accepted (same-key retries)', requestFailures, `${orders.length} orders, ${httpStats.retries} retries`),
    check('every fault injected and ended', [...faultErrors, ...(faults.length === 0 ? ['no fault ran'] : [])], `${faults.length} faults`),
    check(
      `memory does not grow: least-squares slope over the last half <= ${LIMITS.rss} MiB/min RSS, ${LIMITS.heap} MiB/min heap`,
      memoryProblems,
      judgeMemory ? `${slopes.filter((item) => item.judged).length} of ${slopes.length} processes judged` : `not judged: a run under ${JUDGED_FROM_MS / 60_000} min cannot tell a leak from warm-up (slopes printed)`,
    ),
    check('backlogs back at zero after the drain (outbox, running sagas, open orders)', backlogProblems, `drained; sagas ${sagaRows.map((row) => `${row.status} ${row.n}`).join(', ')}`),
    check('no duplicated side effect per order', duplicated.map(([orderId]) => orderId), 'none'),
    checkCrashes({ kills, processes: run.processes, startupFailures }),
  ];

  // ---- report
  const table = minuteTable(samples, faults);
  const slopeTable = [
    '| process | peak RSS MiB | RSS slope MiB/min | heap slope MiB/min | window (min) | judged |',
    '|---|---:|---:|---:|---|---|',
    ...slopes.map((entry) => `| ${entry.name} | ${entry.peakRss.toFixed(0)} | ${entry.rss?.toFixed(2) ?? '-'} | ${entry.heap?.toFixed(2) ?? '-'} | ${entry.from.toFixed(1)}-${(loadSamples.at(-1)?.tMin ?? 0).toFixed(1)} (${entry.points} samples) | ${entry.judged ? 'yes' : 'no'} |`),
  ].join('\n');
  const title = `OMS soak ${DURATION_MS / 60_000} min at ${rate.toFixed(1)} orders/s (saturation ${saturation.toFixed(1)}/s), sampled every 10 s`;
  const levelLine = `saturation: ${levels.map((entry) => `${entry.level} in flight ${entry.rate.toFixed(1)}/s (accepted ${entry.accepted.toFixed(1)}, completed ${entry.completed.toFixed(1)})`).join('; ')}`;
  writeFileSync(join(outDir, 'samples.json'), JSON.stringify({ rate, saturation, levels, faults, samples }, null, 1));
  writeFileSync(join(outDir, 'table.md'), `${levelLine}\n\n${table}\n\n${slopeTable}\n`);
  writeFileSync(join(outDir, 'soak.svg'), svgPlot(samples, names, faults, title));
  console.log(`\n${title}\n${levelLine}\n\n${table}\n\n${slopeTable}\n`);
  console.log(`orders: ${orders.length} (${calibrationOrders} while measuring saturation); http: ${httpStats.requests} mutations, ${httpStats.retries} retries, ${httpStats.connectionErrors} connection errors, ${httpStats.serverErrors} 5xx answers`);
  console.log(`report: ${join(outDir, 'table.md')}, ${join(outDir, 'soak.svg')}, ${join(outDir, 'samples.json')}\n`);
  const width = Math.max(...checks.map((item) => item.name.length));
  for (const item of checks) console.log(`  ${item.ok ? 'PASS' : 'FAIL'}  ${item.name.padEnd(width)}  ${item.detail}`);
  const failed = checks.filter((item) => !item.ok).length;
  return { passed: checks.length - failed, failed };
}

await finishRun({ label: 'soak', main, cleanUp, processes: run.processes, elapsed, keepLogs: args['keep-logs'] });
