#!/usr/bin/env node
// OMS end-to-end: PostgreSQL, the Kafka-protocol broker, partner-mocks, order-api, 2 outbox-relays
// and 2 saga-orchestrators as separate OS processes; N orders placed and paid while one relay and
// one saga are killed with -9 and restarted; then every order, the topic, the partner's effect
// counters and the idempotency table are audited (see tools/e2e/README.md).
//
//   node tools/e2e/run.mjs [--orders 500] [--quick] [--concurrency 16] [--dist DIR] [--build] [--keep-logs] [--kafka-tls]
//
// --kafka-tls: the apps and the observer reach the broker only over TLS with SASL/SCRAM (the mock
// cluster behind the proxy of libs/testing/src/kafka-proxy.testing.ts), as against a managed cluster.
//
// Exits 1 when a check fails (or the run could not start); the last line is `e2e: N passed, N failed`.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  checkCrashes,
  checkIdempotency,
  checkLeftovers,
  checkSagaEvents,
  checkPartnerEffects,
  checkTerminalStates,
  checkTopicCompleteness,
  checkTopicOrder,
  checkWorkload,
} from './lib/audit.mjs';
import { appStarter, baseEnvOf, cleanUpOnExit, finishRun, omsEnvOf, prepareBundles, superviseStart } from './lib/campaign.mjs';
import { buildKafkaMock, startKafkaMock, startObserver, waitForStableGroup } from './lib/kafka.mjs';
import { startSecuredKafka } from './lib/oms-kafka.mjs';
import { connectionHeadroom, createDatabase, dropDatabase, dsnOf, openPool } from './lib/postgres.mjs';
import { sleep, waitReady } from './lib/processes.mjs';
import { ApiClient, boundedAll, driveOrder, EXPECTED_STATUS, KINDS, kindOf, statusName } from './lib/workload.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOPICS = { orders: 'oms.order.events', dlq: 'oms.dlq', saga: 'oms.saga.events' };
const TOPIC_SPECS = [`${TOPICS.orders}:12`, `${TOPICS.dlq}:3`, `${TOPICS.saga}:12`]; // the OMS topics at their default settings
const DECLINE_ABOVE_MINOR = 1_000_000;
const KAFKA_MOCK_BINARY = join(tmpdir(), 'oms-e2e-kafka-mock', 'kafka-mock');
const SAGA_GROUP = 'oms-saga-orchestrator';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string' },
    quick: { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '16' },
    dist: { type: 'string' },
    build: { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
    'terminal-timeout': { type: 'string', default: '180' },
    'log-level': { type: 'string', default: 'warn' },
    'kafka-tls': { type: 'boolean', default: false },
  },
});
const ORDER_COUNT = Number(args.orders ?? (args.quick ? 200 : 500));
const CONCURRENCY = Number(args.concurrency);
const TERMINAL_TIMEOUT_MS = Number(args['terminal-timeout']) * 1000;
if (!Number.isSafeInteger(ORDER_COUNT) || ORDER_COUNT < 10) fatal(`--orders must be an integer >= 10, got ${args.orders}`);
if (!Number.isSafeInteger(CONCURRENCY) || CONCURRENCY < 1) fatal(`--concurrency must be a positive integer, got ${args.concurrency}`);
if (!(TERMINAL_TIMEOUT_MS > 0)) fatal(`--terminal-timeout must be a positive number of seconds`);

function fatal(message) {
  console.error(`e2e: ${message}`);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line) => console.log(`[e2e ${elapsed().padStart(6)}] ${line}`);

/** Everything to undo at the end, also after a failure or Ctrl-C. */
const run = { processes: [], kafka: undefined, secured: undefined, observer: undefined, pool: undefined, database: undefined, runDir: undefined };
cleanUpOnExit(run, cleanUp, say);

async function cleanUp(keepLogs) {
  await run.observer?.stop().catch(() => undefined);
  await Promise.all(run.processes.map((app) => app.stop('SIGTERM', 8_000).catch(() => undefined)));
  await run.secured?.stop().catch(() => undefined);
  await run.kafka?.stop().catch(() => undefined);
  await run.pool?.end().catch(() => undefined);
  if (run.database) {
    await dropDatabase(run.database).then(
      () => say(`dropped database ${run.database}`),
      (error) => say(`could not drop database ${run.database}: ${error.message}`),
    );
  }
  if (run.runDir) {
    if (keepLogs) say(`logs kept in ${join(run.runDir, 'logs')}`);
    else rmSync(run.runDir, { recursive: true, force: true });
  }
}


async function main() {
  say(`${ORDER_COUNT} orders, concurrency ${CONCURRENCY}`);
  run.runDir = mkdtempSync(join(tmpdir(), 'oms-e2e-'));
  const logDir = join(run.runDir, 'logs');
  mkdirSync(logDir);

  // 1. Bundles (copied, so that a rebuild by someone else mid-run changes nothing here), broker, database.
  const sourceDist = resolve(args.dist ?? join(ROOT, 'dist', 'apps'));
  const dist = prepareBundles({ root: ROOT, sourceDist, runDir: run.runDir, explicitDist: Boolean(args.dist), rebuild: args.build, say });

  const kafkaMockBinary = buildKafkaMock(ROOT, KAFKA_MOCK_BINARY);
  run.kafka = await startKafkaMock(kafkaMockBinary, TOPIC_SPECS, createWriteStream(join(logDir, 'kafka-mock.log')));
  say(`kafka-mock at ${run.kafka.brokers} (${TOPIC_SPECS.join(', ')})`);
  // The address and the OMS_KAFKA_* security variables every Kafka client of the run uses.
  let kafka = { brokers: run.kafka.brokers, env: {} };
  if (args['kafka-tls']) {
    run.secured = await startSecuredKafka(run.kafka.brokers, run.runDir);
    kafka = run.secured;
    say(`TLS + SASL/SCRAM-SHA-512 proxy at ${kafka.brokers}`);
  }

  const headroom = await connectionHeadroom();
  if (headroom < 30) say(`warning: PostgreSQL accepts only ${headroom} more connections; the run needs about 25`);
  run.database = await createDatabase();
  const dsn = dsnOf(run.database);
  say(`database ${run.database}`);

  const baseEnv = baseEnvOf(ROOT, args['log-level']);
  execFileSync(process.execPath, [join(dist, 'migrator', 'main.cjs'), 'migrate', 'up'], {
    cwd: ROOT,
    env: { ...baseEnv, OMS_POSTGRES_DSN: dsn },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  say('migrations applied');
  run.pool = openPool(run.database);

  // 2. The processes, each on its own ports.
  const startApp = appStarter({ root: ROOT, dist, logDir, baseEnv, processes: run.processes });
  const omsEnv = omsEnvOf({ dsn, brokers: kafka.brokers, kafkaEnv: kafka.env });

  const partners = await startApp('partner-mocks', 'partner-mocks', { OMS_PAYMENT_DECLINE_ABOVE_MINOR: String(DECLINE_ABOVE_MINOR) });
  await waitReady(partners.readyUrl, partners);
  const partnerAddr = `127.0.0.1:${partners.ports.grpc}`;
  const sagaEnv = {
    ...omsEnv(4),
    OMS_PARTNER_DRIVER: 'grpc',
    OMS_PARTNER_INVENTORY_ADDR: partnerAddr,
    OMS_PARTNER_PAYMENT_ADDR: partnerAddr,
    OMS_SAGA_CONSUMER_GROUP: SAGA_GROUP,
  };
  const api = await startApp('order-api', 'order-api', omsEnv(8));
  const relays = [await startApp('outbox-relay-1', 'outbox-relay', omsEnv(3)), await startApp('outbox-relay-2', 'outbox-relay', omsEnv(3))];
  // The sagas join their consumer group one after the other: two members joining at the same
  // moment make the mock cluster's coordinator rebalance for a long time.
  const sagas = [await startApp('saga-1', 'saga-orchestrator', sagaEnv)];
  await waitReady(sagas[0].readyUrl, sagas[0], 120_000);
  sagas.push(await startApp('saga-2', 'saga-orchestrator', sagaEnv));
  await Promise.all([api, ...relays, ...sagas].map((app) => waitReady(app.readyUrl, app, 120_000)));
  const group = await waitForStableGroup(kafka.brokers, SAGA_GROUP, sagas.length, 120_000, kafka.env);
  if (!group.unsupported) say(`saga consumer group ${group.stable ? 'stable' : 'NOT stable'}: ${group.last}`);
  say(`ready: ${run.processes.map((app) => `${app.name} (pid ${app.child.pid})`).join(', ')}`);

  // 3. The topic observer, in its own consumer group, from the beginning.
  run.observer = await startObserver(kafka.brokers, [TOPICS.orders, TOPICS.dlq, TOPICS.saga], `oms-e2e-observer-${process.pid}`, kafka.env);
  say('topic observer joined');

  // 4. The workload, with kill -9 of one relay and one saga once 40% of the orders are paid.
  const runId = `e2e-${Date.now().toString(36)}`;
  const httpStats = { requests: 0, polls: 0, retries: 0, connectionErrors: 0 };
  const client = new ApiClient(`http://127.0.0.1:${api.ports.http}`, httpStats);
  const kills = [];
  let paid = 0;
  let chaos;
  const killAt = Math.ceil(ORDER_COUNT * 0.4);
  const crashAndRestart = async () => {
    const victims = [relays[0], sagas[0]];
    const { rows } = await run.pool.query(`SELECT count(*)::int AS n FROM orders_view WHERE status NOT IN ('CONFIRMED', 'CANCELED')`);
    await Promise.all(victims.map((victim) => victim.kill9()));
    for (const victim of victims) {
      const exit = victim.exits.at(-1);
      kills.push({ name: victim.name, signal: exit.signal, code: exit.code, inFlightOrders: rows[0].n, restartedReady: false });
    }
    say(`kill -9 ${victims.map((victim) => victim.name).join(' and ')} with ${paid} orders paid, ${rows[0].n} orders in flight`);
    await sleep(3_000);
    await Promise.all(
      victims.map(async (victim, i) => {
        await superviseStart(victim, { startupFailures, say });
        kills[kills.length - victims.length + i].restartedReady = true;
      }),
    );
    say(`restarted ${victims.map((victim) => `${victim.name} (pid ${victim.child.pid})`).join(', ')}`);
  };
  const startupFailures = [];
  const workloadStarted = Date.now();
  const orders = await boundedAll(ORDER_COUNT, CONCURRENCY, (index) =>
    driveOrder(client, runId, index, kindOf(index), DECLINE_ABOVE_MINOR, TERMINAL_TIMEOUT_MS, () => {
      paid += 1;
      if (paid === killAt) {
        chaos = crashAndRestart();
        chaos.catch(() => undefined); // awaited (and reported) after the workload
      }
    }),
  );
  const workloadSeconds = (Date.now() - workloadStarted) / 1000;
  say(`workload done in ${workloadSeconds.toFixed(1)}s: ${httpStats.requests} mutations, ${httpStats.polls} GETs, ${httpStats.retries} retries, ${httpStats.connectionErrors} connection errors`);
  await chaos?.catch((error) => say(`crash/restart failed: ${error.message}`));

  // 5. Every order terminal (bounded).
  const ids = new Map(orders.filter((order) => order.id).map((order) => [order.id, order]));
  const terminalStarted = Date.now();
  for (;;) {
    const { rows } = await run.pool.query(`SELECT order_id, status FROM orders_view`);
    const status = new Map(rows.map((row) => [row.order_id, row.status]));
    // CANCELED never changes again; a cancel-after-confirm order whose cancel was never sent stays CONFIRMED.
    const settled = (order) =>
      status.get(order.id) === 'CANCELED' ||
      status.get(order.id) === (order.kind === 'cancel-after-confirm' && !order.cancelSent ? 'CONFIRMED' : EXPECTED_STATUS[order.kind]);
    const open = [...ids.values()].filter((order) => !settled(order));
    if (open.length === 0) break;
    if (Date.now() - terminalStarted > TERMINAL_TIMEOUT_MS) {
      say(`${open.length} orders still not terminal after ${TERMINAL_TIMEOUT_MS / 1000}s (e.g. ${open.slice(0, 3).map((order) => `${order.id}: ${status.get(order.id)}`).join(', ')})`);
      break;
    }
    await sleep(1_000);
  }
  const terminalSeconds = (Date.now() - terminalStarted) / 1000;
  say(`orders settled ${terminalSeconds.toFixed(1)}s after the workload`);

  // Let the relays and the observer catch up with the last commits (bounded).
  const drainDeadline = Date.now() + 30_000;
  let storeEvents;
  for (;;) {
    const outbox = await run.pool.query(`SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM outbox`);
    const running = await run.pool.query(`SELECT count(*)::int AS n FROM sagas WHERE status = 'RUNNING'`);
    storeEvents = (
      await run.pool.query(`SELECT event_id::text AS "eventId", stream_id AS "streamId", version, position, type, data FROM events ORDER BY position`)
    ).rows;
    const seen = new Set(run.observer.records.map((record) => record.eventId));
    const unseen = storeEvents.filter((event) => !seen.has(event.eventId)).length;
    const ended = await run.pool.query(`SELECT count(*)::int AS n FROM sagas WHERE status <> 'RUNNING'`);
    const endEvents = new Set(run.observer.records.filter((record) => record.topic === TOPICS.saga && record.type !== 'saga.started').map((record) => record.ceId));
    const quiet = outbox.rows[0].pending === 0 && running.rows[0].n === 0 && unseen === 0 && endEvents.size >= ended.rows[0].n;
    if (quiet || Date.now() > drainDeadline) break;
    await sleep(500);
  }
  await sleep(1_000); // late duplicates from a relay, if any, belong in the audit too

  // 6. Collect and audit.
  const finalStatus = new Map();
  await boundedAll(ids.size, CONCURRENCY, async (i) => {
    const id = [...ids.keys()][i];
    const answer = await client.call('GET', `/v1/orders/${id}`, { deadlineMs: 10_000 });
    finalStatus.set(id, answer.status === 200 ? statusName(answer.json.order?.status) : `HTTP ${answer.status}`);
  });
  const partnerStats = await (await fetch(`http://127.0.0.1:${partners.ports.http}/stats`)).json();
  const idempotencyRows = (await run.pool.query(`SELECT key, scope, status FROM idempotency_keys`)).rows;
  const outbox = (
    await run.pool.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending, count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'sent')::int AS sent FROM outbox`,
    )
  ).rows[0];
  const sagaRows = (await run.pool.query(`SELECT status, count(*)::int AS n FROM sagas GROUP BY status ORDER BY status`)).rows;
  const sagaList = (await run.pool.query(`SELECT saga_id, order_id, kind, status FROM sagas`)).rows;
  const records = run.observer.records.filter((record) => record.topic === TOPICS.orders);
  const dlqMessages = run.observer.records.filter((record) => record.topic === TOPICS.dlq).length;

  const topicOrder = checkTopicOrder(storeEvents, records);
  const checks = [
    checkWorkload(orders),
    checkTerminalStates(orders, finalStatus),
    topicOrder.check,
    checkTopicCompleteness(storeEvents, records),
    checkPartnerEffects(storeEvents, finalStatus, partnerStats),
    checkIdempotency(idempotencyRows, client.keysUsed),
    checkLeftovers({ outbox, dlqMessages, sagas: Object.fromEntries(sagaRows.map((row) => [row.status, row.n])) }),
    checkSagaEvents(sagaList, run.observer.records.filter((record) => record.topic === TOPICS.saga)),
    checkCrashes({ kills, processes: run.processes, startupFailures }),
  ];

  // 7. Report.
  console.log('');
  console.log('orders by kind (expected terminal status: reached / total)');
  for (const kind of KINDS) {
    const ofKind = orders.filter((order) => order.kind === kind);
    const reached = ofKind.filter((order) => finalStatus.get(order.id) === EXPECTED_STATUS[kind]).length;
    console.log(`  ${kind.padEnd(22)} ${EXPECTED_STATUS[kind].padEnd(10)} ${String(reached).padStart(4)} / ${ofKind.length}`);
  }
  console.log('');
  console.log(
    `topic: ${records.length} messages for ${storeEvents.length} events (${topicOrder.duplicates} duplicate deliveries), dead letters ${dlqMessages}; ` +
      `http: ${httpStats.requests} mutations, ${httpStats.polls} GETs, ${httpStats.retries} retries, ${httpStats.connectionErrors} connection errors`,
  );
  console.log(
    `partners: ${JSON.stringify(partnerStats.inventory)} ${JSON.stringify(partnerStats.payment)}; ` +
      `calls ${Object.entries(partnerStats.calls ?? {}).map(([method, c]) => `${method} ${c.calls}`).join(', ')}`,
  );
  console.log(`timing: workload ${workloadSeconds.toFixed(1)}s, settle ${terminalSeconds.toFixed(1)}s, total ${elapsed()}`);
  console.log('');
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) {
    console.log('');
    for (const app of run.processes.filter((p) => p.tail().trim())) console.log(`--- last log lines of ${app.name} (${app.logFile})\n${app.tail(15)}`);
  }
  return { passed: checks.length - failed.length, failed: failed.length };
}
await finishRun({ label: 'e2e', main, cleanUp, processes: run.processes, elapsed, keepLogs: args['keep-logs'] });
