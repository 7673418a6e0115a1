#!/usr/bin/env node
// OMS chaos run: the multi-process stack (order-api x2, outbox-relay x2, saga x2, partner-mocks,
// the Kafka-protocol broker and a private PostgreSQL cluster) under a steady, bounded load while
// scripted faults hit it one after another; then the e2e audit plus a per-fault table
// (see tools/chaos/README.md).
//
//   node tools/chaos/run.mjs [--short] [--keep-logs] [--dist DIR]
//
// Exits 1 on any loss, duplicate side effect, stuck saga or failed check; the last line is
// `chaos: N passed, N failed`.
import { execFileSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  checkCrashes,
  checkIdempotency,
  checkLeftovers,
  checkPartnerEffects,
  checkTopicCompleteness,
  checkTopicOrder,
  eventsByOrder,
} from '../e2e/lib/audit.mjs';
import { appStarter, baseEnvOf, cleanUpOnExit, finishRun, parseArgsOrExit, omsEnvOf, prepareBundles, restartWhatEnds, superviseStart } from '../e2e/lib/campaign.mjs';
import { buildKafkaMock, MockBrokerCrashed, startKafkaMock, startObserver, waitForStableGroup } from '../e2e/lib/kafka.mjs';
import { createDatabase, dropDatabase, dsnOf, openPool } from '../e2e/lib/postgres.mjs';
import { startPrivatePostgres } from '../e2e/lib/private-postgres.mjs';
import { freePort, sleep, waitReady } from '../e2e/lib/processes.mjs';
import { ApiClient, ATTEMPT_TIMEOUT_MS as CLIENT_ABORT_MS, boundedAll, driveOrder, kindOf, statusName } from '../e2e/lib/workload.mjs';
import { Links } from './lib/links.mjs';
import { leadFromBrokerOne, networkFaults } from './lib/network-faults.mjs';

// `--soak <duration>`: the long run under steady load with resource sampling (tools/chaos/soak.mjs);
// it ends the process itself.
if (process.argv.some((arg) => arg === '--soak' || arg.startsWith('--soak='))) await import('./soak.mjs');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOPICS = { orders: 'oms.order.events', dlq: 'oms.dlq', saga: 'oms.saga.events' };
const TOPIC_SPECS = [`${TOPICS.orders}:12`, `${TOPICS.dlq}:3`, `${TOPICS.saga}:12`];
const DECLINE_ABOVE_MINOR = 1_000_000;
const KAFKA_MOCK_BINARY = join(tmpdir(), 'oms-e2e-kafka-mock', 'kafka-mock');
const SAGA_GROUP = 'oms-saga-orchestrator';
const SAGA_CALL_TIMEOUT_MS = 500;
const OBSERVER_GROUP = `oms-chaos-observer-${process.pid}`;
// Three brokers, topics replicated three times: broker 1 leads every partition until the failover.
const KAFKA_BROKER_COUNT = 3;
// A relay's broker request fails after this (OMS_KAFKA_REQUEST_TIMEOUT), well inside its outbox lease (OMS_OUTBOX_LEASE_TTL 10s).
const RELAY_KAFKA_REQUEST_TIMEOUT = '5s';

const { values: args } = parseArgsOrExit('chaos', {
  options: {
    short: { type: 'boolean', default: false },
    dist: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'warn' },
  },
});
// Bounded load: `ordersPerFault` orders per fault, started at `ratePerSecond`, at most `concurrency` in flight.
const PROFILE = args.short
  ? { ordersPerFault: 30, ratePerSecond: 6, concurrency: 12, brokerDownMs: 10_000, holdMs: 8_000, blackholeMs: 20_000, failoverHoldMs: 10_000, settleTimeoutMs: 150_000 }
  : { ordersPerFault: 100, ratePerSecond: 8, concurrency: 16, brokerDownMs: 30_000, holdMs: 20_000, blackholeMs: 20_000, failoverHoldMs: 20_000, settleTimeoutMs: 180_000 };

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line) => console.log(`[chaos ${elapsed().padStart(6)}] ${line}`);

/** Everything to undo at the end, also after a failure or Ctrl-C. */
const run = { processes: [], links: new Links(), kafka: undefined, observer: undefined, pool: undefined, database: undefined, runDir: undefined, pg: undefined, supervising: false };
cleanUpOnExit(run, cleanUp, say);

// ---------------------------------------------------------------------------------------------
// The private PostgreSQL cluster: never the machine's shared server, which other runs use.

async function stopPrivatePostgres() {
  if (!run.pg) return;
  await run.pg.stop();
  say(`private PostgreSQL on port ${run.pg.port} stopped and deleted`);
  run.pg = undefined;
}

async function cleanUp(keepLogs) {
  run.supervising = false;
  await run.observer?.stop().catch(() => undefined);
  await Promise.all(run.processes.map((app) => app.stop('SIGTERM', 8_000).catch(() => undefined)));
  await run.links.stop();
  await run.kafka?.stop().catch(() => undefined);
  await run.pool?.end().catch(() => undefined);
  if (run.database && run.pg) await dropDatabase(run.database, run.pg.server).catch(() => undefined);
  if (run.pg && keepLogs && run.runDir) cpSync(run.pg.log, join(run.runDir, 'logs', 'postgres.log'));
  await stopPrivatePostgres();
  if (run.runDir) {
    if (keepLogs) say(`logs kept in ${join(run.runDir, 'logs')}`);
    else rmSync(run.runDir, { recursive: true, force: true });
  }
}


// ---------------------------------------------------------------------------------------------

async function main() {
  say(`${args.short ? 'short' : 'full'} run: ${PROFILE.ordersPerFault} orders per fault at ${PROFILE.ratePerSecond}/s, broker down ${PROFILE.brokerDownMs / 1000}s`);
  run.runDir = mkdtempSync(join(tmpdir(), 'oms-chaos-'));
  const logDir = join(run.runDir, 'logs');
  mkdirSync(logDir);

  const sourceDist = resolve(args.dist ?? join(ROOT, 'dist', 'apps'));
  const dist = prepareBundles({ root: ROOT, sourceDist, runDir: run.runDir, explicitDist: Boolean(args.dist), say });

  const pg = await startPrivatePostgres(run.runDir);
  run.pg = pg;
  say(`private PostgreSQL 15 cluster on port ${pg.port} (${pg.data})`);
  run.database = await createDatabase(pg.server);
  const dsn = dsnOf(run.database, pg.server);

  const kafkaMockBinary = buildKafkaMock(ROOT, KAFKA_MOCK_BINARY);
  run.kafka = await startKafkaMock(kafkaMockBinary, TOPIC_SPECS, createWriteStream(join(logDir, 'kafka-mock.log')), { brokers: KAFKA_BROKER_COUNT });
  await leadFromBrokerOne(run.kafka, [SAGA_GROUP, OBSERVER_GROUP]);
  say(`kafka-mock at ${run.kafka.brokers} (broker 1 leads every partition)`);

  const baseEnv = baseEnvOf(ROOT, args['log-level']);
  execFileSync(process.execPath, [join(dist, 'migrator', 'main.cjs'), 'migrate', 'up'], { cwd: ROOT, env: { ...baseEnv, OMS_POSTGRES_DSN: dsn }, stdio: ['ignore', 'pipe', 'pipe'] });
  run.pool = openPool(run.database, pg.server);
  run.pool.on('error', () => undefined); // idle clients die with the PostgreSQL restart; the pool reconnects

  const launch = appStarter({ root: ROOT, dist, logDir, baseEnv, processes: run.processes });
  const startApp = (name, app, env) => launch(name, app, env, { supervised: true, restarts: [] });
  const omsEnvOfAll = omsEnvOf({ dsn, brokers: run.kafka.brokers });
  // Every app reaches PostgreSQL through a link of its own (a fault proxy), so one app's path can fail alone.
  const omsEnv = async (name, poolMax) => {
    const [host, port] = (await run.links.postgres(name, `${pg.server.host}:${pg.port}`)).split(':');
    return { ...omsEnvOfAll(poolMax), OMS_POSTGRES_DSN: dsnOf(run.database, { ...pg.server, host, port: Number(port) }) };
  };

  const startupFailures = [];
  const restart = (app) => superviseStart(app, { startupFailures, say });
  /** Start-up on the mock broker can miss the consumer's join timeout: started again, as an orchestrator would. */
  const readyOrRestart = async (app) => {
    try {
      await waitReady(app.readyUrl, app, 120_000);
    } catch (error) {
      if (app.running) throw error;
      await app.ended;
      app.exits.at(-1).startupFailure = true;
      startupFailures.push(`${app.name} start #${app.starts}`);
      say(`${app.name} failed to start; starting it again`);
      await restart(app);
    }
  };
  const partners = await startApp('partner-mocks', 'partner-mocks', { OMS_PAYMENT_DECLINE_ABOVE_MINOR: String(DECLINE_ABOVE_MINOR) });
  await waitReady(partners.readyUrl, partners);
  const sagaEnv = async (name) => {
    const partnerAddr = await run.links.partner(name, `127.0.0.1:${partners.ports.grpc}`);
    return {
      ...(await omsEnv(name, 4)),
      OMS_PARTNER_DRIVER: 'grpc',
      OMS_PARTNER_INVENTORY_ADDR: partnerAddr,
      OMS_PARTNER_PAYMENT_ADDR: partnerAddr,
      OMS_SAGA_CONSUMER_GROUP: SAGA_GROUP,
      OMS_SAGA_CALL_TIMEOUT: `${SAGA_CALL_TIMEOUT_MS}ms`,
    };
  };
  // The relays reach the broker through links of their own (the sagas and order-apis directly).
  const relayEnv = async (name) => ({
    ...(await omsEnv(name, 3)),
    KAFKA_BROKERS: await run.links.broker(name, run.kafka.brokers),
    OMS_KAFKA_REQUEST_TIMEOUT: RELAY_KAFKA_REQUEST_TIMEOUT,
  });
  const apis = [];
  for (const name of ['order-api-1', 'order-api-2']) apis.push(await startApp(name, 'order-api', await omsEnv(name, 6)));
  const relays = [];
  for (const name of ['outbox-relay-1', 'outbox-relay-2']) relays.push(await startApp(name, 'outbox-relay', await relayEnv(name)));
  // One saga after the other: two members joining at once make the mock coordinator rebalance for long.
  const sagas = [await startApp('saga-1', 'saga-orchestrator', await sagaEnv('saga-1'))];
  await readyOrRestart(sagas[0]);
  sagas.push(await startApp('saga-2', 'saga-orchestrator', await sagaEnv('saga-2')));
  await Promise.all([...apis, ...relays, ...sagas].map((app) => readyOrRestart(app)));
  const group = await waitForStableGroup(run.kafka.brokers, SAGA_GROUP, sagas.length, 120_000);
  if (!group.unsupported) say(`saga consumer group ${group.stable ? 'stable' : 'NOT stable'}: ${group.last}`);
  say(`ready: ${run.processes.map((app) => `${app.name} (pid ${app.child.pid})`).join(', ')}`);

  run.observer = await startObserver(run.kafka.brokers, [TOPICS.orders, TOPICS.dlq], OBSERVER_GROUP);

  // An orchestrator's restart policy: a process that ends on its own (not one a fault killed) is
  // started again; every such end is reported by the crash check.
  run.supervising = true;
  const watchdog = restartWhatEnds(run, restart, say);

  // ---- the workload: two clients, one per order-api, sharing the record of idempotency keys
  const runId = `chaos-${Date.now().toString(36)}`;
  const httpStats = { requests: 0, polls: 0, retries: 0, connectionErrors: 0, serverErrors: 0 };
  // As a payment client would (Stripe semantics), a 500 is retried too: the same key makes it safe.
  // Every 5xx is counted and printed, so an outage answered 500 rather than 503 stays visible.
  const retryStatus = new Set([408, 429, 500, 502, 503, 504]);
  const clients = apis.map((api) => new ApiClient(`http://127.0.0.1:${api.ports.http}`, httpStats, { retryStatus }));
  for (const client of clients.slice(1)) client.keysUsed = clients[0].keysUsed;
  const allOrders = [];
  let nextIndex = 0;

  /** Starts `count` orders at the profile's rate, at most `concurrency` in flight; `onPaid(n)` after each pay. */
  const load = async (count, phase, onPaid) => {
    let paidInPhase = 0;
    let inFlight = 0;
    const pending = [];
    for (let i = 0; i < count; i++) {
      while (inFlight >= PROFILE.concurrency) await sleep(20);
      const index = nextIndex++;
      inFlight += 1;
      const client = clients[index % clients.length];
      pending.push(
        driveOrder(client, runId, index, kindOf(index), DECLINE_ABOVE_MINOR, PROFILE.settleTimeoutMs, () => onPaid(++paidInPhase))
          .then((order) => {
            order.phase = phase;
            order.api = index % clients.length;
            allOrders.push(order);
            return order;
          })
          .finally(() => (inFlight -= 1)),
      );
      await sleep(1000 / PROFILE.ratePerSecond);
    }
    return Promise.all(pending);
  };

  const postFaults = async (settings) => {
    const response = await fetch(`http://127.0.0.1:${partners.ports.http}/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(settings),
    });
    if (response.status !== 200) throw new Error(`POST /faults ${JSON.stringify(settings)}: ${response.status} ${await response.text()}`);
  };
  const network = networkFaults({
    links: run.links,
    kafka: run.kafka,
    groups: [SAGA_GROUP, OBSERVER_GROUP],
    say,
    blackholeMs: PROFILE.blackholeMs,
    slowMs: PROFILE.holdMs,
    partnerHoldMs: PROFILE.holdMs,
    callTimeoutMs: SAGA_CALL_TIMEOUT_MS,
    failoverHoldMs: PROFILE.failoverHoldMs,
  });
  const kills = [];
  const killAndRestart = async (app) => {
    const { rows } = await run.pool.query(`SELECT count(*)::int AS n FROM orders_view WHERE status NOT IN ('CONFIRMED', 'CANCELED')`);
    app.supervised = false;
    await app.kill9();
    const exit = app.exits.at(-1);
    const kill = { name: app.name, signal: exit.signal, code: exit.code, inFlightOrders: rows[0].n, restartedReady: false };
    kills.push(kill);
    say(`  kill -9 ${app.name} with ${rows[0].n} orders in flight`);
    await sleep(2_000);
    await restart(app);
    kill.restartedReady = true;
    app.supervised = true;
    say(`  ${app.name} restarted (pid ${app.child.pid})`);
  };

  const FAULTS = [
    { name: 'kill -9 outbox-relay-1', inject: () => killAndRestart(relays[0]) },
    { name: 'kill -9 saga-1', inject: () => killAndRestart(sagas[0]) },
    { name: 'kill -9 order-api-1 under load', inject: () => killAndRestart(apis[0]) },
    {
      name: 'PostgreSQL restart (pg_ctl restart -m fast)',
      inject: async () => {
        await pg.restart();
        say('  PostgreSQL restarted');
      },
    },
    {
      name: `broker down ${PROFILE.brokerDownMs / 1000}s`,
      inject: async () => {
        await run.kafka.command('down 1');
        say('  broker 1 down');
        await sleep(PROFILE.brokerDownMs);
        await run.kafka.command('up 1');
        say('  broker 1 up');
      },
    },
    network.brokerFailover,
    network.postgresBlackhole,
    ...(args.short ? [] : [network.brokerBlackhole, network.postgresSlow]),
    {
      name: `partner latency ${SAGA_CALL_TIMEOUT_MS * 3}ms > call timeout ${SAGA_CALL_TIMEOUT_MS}ms`,
      inject: async () => {
        await postFaults({ latencyMs: SAGA_CALL_TIMEOUT_MS * 3 });
        await sleep(PROFILE.holdMs);
        await postFaults({ latencyMs: 0 });
      },
    },
    ...(args.short ? [] : [network.partnerBlackhole]),
    {
      name: 'partner error burst (errorRate 0.5)',
      inject: async () => {
        await postFaults({ errorRate: 0.5 });
        await sleep(PROFILE.holdMs);
        await postFaults({ errorRate: 0 });
      },
    },
  ];

  /** Orders settled: terminal in the projection (CONFIRMED or CANCELED) and no saga still running. */
  const unsettled = async (orders) => {
    const { rows } = await run.pool.query(`SELECT order_id, status FROM orders_view`);
    const status = new Map(rows.map((row) => [row.order_id, row.status]));
    const running = (await run.pool.query(`SELECT count(*)::int AS n FROM sagas WHERE status = 'RUNNING'`)).rows[0].n;
    const open = orders.filter((order) => order.id && !['CONFIRMED', 'CANCELED'].includes(status.get(order.id)));
    // An order whose saga gave up (COMPENSATION_FAILED) waits for an operator: no point waiting for it.
    const givenUp = new Set(
      (await run.pool.query(`SELECT order_id FROM sagas WHERE status = 'COMPENSATION_FAILED'`)).rows.map((row) => row.order_id),
    );
    return { open, running, hopeless: open.length > 0 && open.every((order) => givenUp.has(order.id)) };
  };

  const effectGap = async () => {
    const stats = await (await fetch(`http://127.0.0.1:${partners.ports.http}/stats`)).json();
    const { rows } = await run.pool.query(`SELECT type, count(*)::int AS n FROM events GROUP BY type`);
    const stored = (type) => rows.find((row) => row.type === type)?.n ?? 0;
    // Net effects: a timed-out call that happened anyway is undone blind (release / refund by the
    // forward step's key), so gross counts may exceed the store's events while the net stays equal.
    return (
      Math.abs(stats.payment.charges - stats.payment.refunds - (stored('OrderPaid') - stored('OrderRefunded'))) +
      Math.abs(stats.inventory.held - (stored('OrderStockReserved') - stored('OrderStockReleased')))
    );
  };
  let previousGap = await effectGap();
  const phases = [];
  for (const [phaseIndex, fault] of FAULTS.entries()) {
    say(`fault ${phaseIndex + 1}/${FAULTS.length}: ${fault.name}`);
    let injected;
    let injectedAt;
    let faultEnded;
    const serverErrorsBefore = httpStats.serverErrors;
    httpStats.slowestMs = 0;
    const trigger = Math.ceil(PROFILE.ordersPerFault / 3);
    const orders = await load(PROFILE.ordersPerFault, phaseIndex, (paid) => {
      if (paid === trigger) {
        injectedAt = Date.now();
        injected = fault
          .inject()
          .then(() => (faultEnded = Date.now()))
          .catch((error) => {
            faultEnded = Date.now();
            say(`  the fault could not be injected/ended: ${error.message.split('\n')[0]}`);
            return error;
          });
      }
    });
    if (!injected) say('  the fault was never injected (too few orders paid)');
    const injectError = await injected;
    // Recovery time: from the end of the fault until every order placed so far is settled.
    const deadline = (faultEnded ?? Date.now()) + PROFILE.settleTimeoutMs;
    let state;
    for (;;) {
      // Without its broker nothing settles: stop at once rather than wait out every fault.
      const crash = run.kafka.crashed();
      if (crash) throw new MockBrokerCrashed(crash);
      state = await unsettled(allOrders).catch(() => ({ open: allOrders, running: -1 }));
      if ((state.open.length === 0 && state.running === 0) || (state.hopeless && state.running === 0) || Date.now() > deadline) break;
      await sleep(500);
    }
    const recoveredAt = Date.now();
    // Side effects the partner performed that the store does not record (a timed-out call whose
    // effect happened anyway, a second charge...), as a delta over this fault's phase.
    const effects = await effectGap().catch(() => undefined);
    const extraEffects = effects === undefined || previousGap === undefined ? 0 : Math.max(0, effects - previousGap);
    previousGap = effects ?? previousGap;
    phases.push({
      extraEffects,
      fault: fault.name,
      lastedSeconds: faultEnded && injectedAt ? (faultEnded - injectedAt) / 1000 : undefined,
      serverErrors: httpStats.serverErrors - serverErrorsBefore,
      slowestMs: httpStats.slowestMs,
      orders,
      injected: Boolean(injected) && !(injectError instanceof Error),
      stuck: state.open.length,
      runningSagas: state.running,
      hopeless: state.hopeless,
      recoverySeconds: state.open.length === 0 && state.running === 0 ? (recoveredAt - (faultEnded ?? recoveredAt)) / 1000 : undefined,
    });
    say(`  settled: ${state.open.length} open orders, ${state.running} running sagas, recovery ${phases.at(-1).recoverySeconds?.toFixed(1) ?? 'NOT within bound'}s${state.hopeless ? ' (every open order has a COMPENSATION_FAILED saga)' : ''}`);
  }
  run.supervising = false;
  await watchdog;

  // ---- drain: outbox empty and the observer has seen every stored event (bounded)
  const drainDeadline = Date.now() + 60_000;
  let storeEvents;
  for (;;) {
    const outbox = await run.pool.query(`SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM outbox`);
    storeEvents = (await run.pool.query(`SELECT event_id::text AS "eventId", stream_id AS "streamId", version, position, type, data FROM events ORDER BY position`)).rows;
    const seen = new Set(run.observer.records.map((record) => record.eventId));
    const unseen = storeEvents.filter((event) => !seen.has(event.eventId)).length;
    if ((outbox.rows[0].pending === 0 && unseen === 0) || Date.now() > drainDeadline) break;
    await sleep(500);
  }
  await sleep(1_000); // late duplicates belong in the audit too

  // ---- audit
  const finalStatus = new Map();
  const ids = allOrders.filter((order) => order.id).map((order) => order.id);
  await boundedAll(ids.length, 8, async (i) => {
    const answer = await clients[i % clients.length].call('GET', `/v1/orders/${ids[i]}`, { deadlineMs: 10_000 });
    finalStatus.set(ids[i], answer.status === 200 ? statusName(answer.json.order?.status) : `HTTP ${answer.status}`);
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
  const records = run.observer.records.filter((record) => record.topic === TOPICS.orders);
  const dlqMessages = run.observer.records.filter((record) => record.topic === TOPICS.dlq).length;

  // Per order: lost = a request the client saw succeed whose events are not all in the store and on the topic;
  // duplicated = a side effect recorded more than once.
  const byOrder = eventsByOrder(storeEvents);
  const onTopic = new Set(records.map((record) => record.eventId));
  const lostOf = (order) => {
    if (!order.id) return false;
    const events = byOrder.get(order.id) ?? [];
    const has = (type) => events.some((event) => event.type === type);
    if (!has('OrderPlaced')) return true;
    if (!order.errors.some((error) => error.startsWith('pay:')) && !has('OrderPaymentRequested')) return true;
    if (order.cancelSent && !order.errors.some((error) => error.startsWith('cancel:')) && !has('OrderCancellationRequested')) return true;
    return events.some((event) => !onTopic.has(event.eventId));
  };
  const duplicatedOf = (order) => {
    const events = byOrder.get(order.id) ?? [];
    const count = (type) => events.filter((event) => event.type === type).length;
    return count('OrderStockReserved') > 1 || count('OrderPaid') > 1 || count('OrderRefunded') > 1 || count('OrderStockReleased') > count('OrderStockReserved');
  };
  // A refused create/pay is a finding; a cancel-after-confirm order that a fault canceled before it was confirmed is not.
  const requestFailures = allOrders.flatMap((order) =>
    order.errors.filter((error) => !/^cancel-after-confirm: the order reached CANCELED/.test(error)).map((error) => `order #${order.index} (${order.id ?? 'not created'}): ${error}`),
  );
  const rows = phases.map((phase) => ({
    fault: phase.fault,
    orders: phase.orders.length,
    lost: phase.orders.filter(lostOf).length + phase.orders.filter((order) => !order.id).length,
    duplicated: phase.orders.filter((order) => order.id && duplicatedOf(order)).length + phase.extraEffects,
    stuck: phase.stuck + Math.max(0, phase.runningSagas),
    recovery:
      phase.recoverySeconds !== undefined ? `${phase.recoverySeconds.toFixed(1)}s` : phase.hopeless ? 'never (COMPENSATION_FAILED)' : `> ${PROFILE.settleTimeoutMs / 1000}s`,
    lasted: phase.lastedSeconds === undefined ? '?' : `${phase.lastedSeconds.toFixed(1)}s`,
    serverErrors: String(phase.serverErrors),
    slowest: `${(phase.slowestMs / 1000).toFixed(1)}s`,
    slowestMs: phase.slowestMs,
    injected: phase.injected,
  }));

  const topicOrder = checkTopicOrder(storeEvents, records);
  const check = (name, problems, detail) => ({ name, ok: problems.length === 0, detail: problems.length ? problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; ... ${problems.length} in all` : '') : detail });
  const notTerminal = [...finalStatus].filter(([, status]) => !['CONFIRMED', 'CANCELED'].includes(status));
  const checks = [
    check('every create / pay / cancel a client sent was accepted (same-key retries)', requestFailures, `${allOrders.length} orders, ${httpStats.retries} retries`),
    check('every fault injected and ended', rows.filter((row) => !row.injected).map((row) => row.fault), `${rows.length} faults`),
    check('no loss: the events of every accepted request are in the store and on the topic', rows.filter((row) => row.lost).map((row) => `${row.fault}: ${row.lost} lost`), 'none lost'),
    check('no duplicated side effect per order', rows.filter((row) => row.duplicated).map((row) => `${row.fault}: ${row.duplicated}`), 'none duplicated'),
    check('every order terminal (CONFIRMED / CANCELED) within the bound after each fault', [...rows.filter((row) => row.stuck).map((row) => `${row.fault}: ${row.stuck} stuck`), ...notTerminal.slice(0, 5).map(([id, status]) => `${id} is ${status}`)], `bound ${PROFILE.settleTimeoutMs / 1000}s`),
    check(
      `no request hung: every HTTP answer came before the client's ${CLIENT_ABORT_MS / 1000} s abort`,
      rows.filter((row) => row.slowestMs >= CLIENT_ABORT_MS).map((row) => `${row.fault}: slowest ${row.slowest}`),
      `slowest ${Math.max(...rows.map((row) => row.slowestMs)) / 1000}s`,
    ),
    topicOrder.check,
    checkTopicCompleteness(storeEvents, records),
    checkNetEffects(storeEvents, finalStatus, partnerStats),
    checkIdempotency(idempotencyRows, clients[0].keysUsed),
    checkLeftovers({ outbox, dlqMessages, sagas: Object.fromEntries(sagaRows.map((row) => [row.status, row.n])) }),
    checkCrashes({ kills, processes: run.processes, startupFailures }),
  ];

  // The e2e's gross comparison (every partner effect has its own store event) is printed, not judged:
  // blind compensations of timed-out calls legitimately add effect pairs the store never saw.
  const gross = checkPartnerEffects(storeEvents, finalStatus, partnerStats);

  // ---- report
  console.log('');
  // The last columns explain the recovery time: how long the fault itself lasted (a kill lasts
  // until the victim is ready again), and the 5xx answers clients saw (and retried) meanwhile.
  const header = ['fault', 'orders', 'lost', 'duplicated side effects', 'stuck', 'recovery time', 'fault lasted', 'HTTP 5xx retried', 'slowest HTTP answer'];
  const table = [header, ...rows.map((row) => [row.fault, String(row.orders), String(row.lost), String(row.duplicated), String(row.stuck), row.recovery, row.lasted, row.serverErrors, row.slowest])];
  const widths = header.map((_, i) => Math.max(...table.map((line) => line[i].length)));
  const line = (cells) => `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width, i) => (i === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
  for (const cells of table.slice(1)) console.log(line(cells));
  console.log('');
  const kinds = new Map();
  for (const [, status] of finalStatus) kinds.set(status, (kinds.get(status) ?? 0) + 1);
  console.log(`orders: ${allOrders.length} (${[...kinds].map(([status, n]) => `${status} ${n}`).join(', ')}); topic: ${records.length} messages for ${storeEvents.length} events (${topicOrder.duplicates} duplicate deliveries); http: ${httpStats.requests} mutations, ${httpStats.retries} retries, ${httpStats.connectionErrors} connection errors, ${httpStats.serverErrors} 5xx answers ${JSON.stringify(httpStats.serverErrorStatuses ?? {})}`);
  console.log(`partners: ${JSON.stringify(partnerStats.inventory)} ${JSON.stringify(partnerStats.payment)}`);
  const restarts = run.processes.filter((app) => app.restarts.length).map((app) => `${app.name} x${app.restarts.length}`);
  if (restarts.length) console.log(`processes that ended on their own and were restarted: ${restarts.join(', ')}`);
  console.log('');
  console.log(`gross partner effects vs store events (not judged): ${gross.ok ? 'equal' : gross.detail}`);
  console.log('');
  const width = Math.max(...checks.map((c) => c.name.length));
  for (const c of checks) console.log(`  ${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = checks.filter((c) => !c.ok);
  if (failed.length) {
    console.log('');
    for (const app of run.processes.filter((p) => p.tail().trim())) console.log(`--- last log lines of ${app.name} (${app.logFile})\n${app.tail(10)}`);
  }
  return { passed: checks.length - failed.length, failed: failed.length };
}

/**
 * Effective partner effects against the store: charges not refunded = OrderPaid not refunded (count
 * and amount) = what CONFIRMED orders paid; reservations held = reservations of orders not CANCELED;
 * per CANCELED order every stored reservation released once and every payment refunded; no refund
 * without a charge.
 */
function checkNetEffects(storeEvents, finalStatus, stats) {
  const problems = [];
  const { inventory, payment } = stats;
  const sum = (events, type) => events.filter((event) => event.type === type).reduce((total, event) => total + Number(event.data.amountMinor), 0);
  const count = (events, type) => events.filter((event) => event.type === type).length;
  let netCharges = 0;
  let netMinor = 0;
  let confirmedPaid = 0;
  let confirmedMinor = 0;
  let heldExpected = 0;
  for (const [orderId, events] of eventsByOrder(storeEvents)) {
    const status = finalStatus.get(orderId);
    const charges = count(events, 'OrderPaid') - count(events, 'OrderRefunded');
    const minor = sum(events, 'OrderPaid') - sum(events, 'OrderRefunded');
    netCharges += charges;
    netMinor += minor;
    if (minor < 0) problems.push(`${orderId}: refunded more than paid`);
    const reserved = count(events, 'OrderStockReserved');
    const released = count(events, 'OrderStockReleased');
    if (status === 'CANCELED') {
      if (released !== reserved) problems.push(`${orderId} (CANCELED): ${reserved} reservations, ${released} releases`);
      if (minor !== 0) problems.push(`${orderId} (CANCELED): ${minor} still charged`);
    } else {
      heldExpected += reserved - released;
    }
    if (status === 'CONFIRMED') {
      confirmedPaid += charges;
      confirmedMinor += minor;
    }
  }
  const partnerNet = payment.charges - payment.refunds;
  const partnerNetMinor = payment.chargedMinor - payment.refundedMinor;
  if (partnerNet !== netCharges) problems.push(`effective charges at the partner ${partnerNet} != store ${netCharges}`);
  if (partnerNetMinor !== netMinor) problems.push(`effectively charged ${partnerNetMinor} at the partner != store ${netMinor}`);
  if (netCharges !== confirmedPaid || netMinor !== confirmedMinor) problems.push(`effective charges ${netCharges} (${netMinor}) != paid CONFIRMED orders ${confirmedPaid} (${confirmedMinor})`);
  if (payment.refunds > payment.charges || payment.refundedMinor > payment.chargedMinor) problems.push(`refunds ${payment.refunds} (${payment.refundedMinor}) exceed charges ${payment.charges} (${payment.chargedMinor})`);
  if (inventory.held !== heldExpected) problems.push(`reservations held at the partner ${inventory.held} != reservations of orders not CANCELED ${heldExpected}`);
  return {
    name: 'effective charges == paid orders, canceled orders released and refunded, no refund without a charge',
    ok: problems.length === 0,
    detail: problems.length
      ? problems.slice(0, 5).join('; ') + (problems.length > 5 ? `; ... ${problems.length} in all` : '')
      : `effective charges ${partnerNet} (${partnerNetMinor}), held ${inventory.held}`,
  };
}
await finishRun({ label: 'chaos', main, cleanUp, processes: run.processes, elapsed, keepLogs: args['keep-logs'] });
