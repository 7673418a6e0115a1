#!/usr/bin/env node
// How long a killed saga-orchestrator's partitions wait for the other member of its consumer
// group: two sagas on the Kafka-protocol broker, orders paid at a steady rate, `kill -9` of one
// saga; the takeover time is the longest wait, from the kill, until the saga of an order sent
// in the first two seconds after the kill was started (its message sat on a dead member's partition).
//
//   node tools/chaos/takeover.mjs [--runs N] [--env NAME=VALUE ...]
//
// `--env` passes consumer settings to both sagas (e.g. OMS_KAFKA_CONSUMER_SESSION_TIMEOUT=10s).
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { appStarter, baseEnvOf, finishRun, omsEnvOf, prepareBundles } from '../e2e/lib/campaign.mjs';
import { buildKafkaMock, startKafkaMock, waitForStableGroup } from '../e2e/lib/kafka.mjs';
import { createDatabase, dsnOf, openPool } from '../e2e/lib/postgres.mjs';
import { sleep, waitReady } from '../e2e/lib/processes.mjs';
import { ApiClient, orderBody } from '../e2e/lib/workload.mjs';
import { startPrivatePostgres } from '../e2e/lib/private-postgres.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KAFKA_MOCK_BINARY = join(tmpdir(), 'oms-e2e-kafka-mock', 'kafka-mock');
const SAGA_GROUP = 'oms-saga-orchestrator';
const RATE_PER_SECOND = 10;
const LOAD_AFTER_KILL_MS = 40_000;

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    env: { type: 'string', multiple: true, default: [] },
    dist: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
  },
});
const extraEnv = Object.fromEntries(args.env.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line) => console.log(`[takeover ${elapsed().padStart(6)}] ${line}`);
const run = { processes: [], kafka: undefined, pool: undefined, pg: undefined, runDir: undefined };
cleanUpOnExit(run, cleanUp);

async function cleanUp(keepLogs) {
  await Promise.all(run.processes.map((app) => app.stop('SIGTERM', 5_000).catch(() => undefined)));
  await run.kafka?.stop().catch(() => undefined);
  await run.pool?.end().catch(() => undefined);
  await run.pg?.stop();
  if (run.runDir && !keepLogs) rmSync(run.runDir, { recursive: true, force: true });
  else if (run.runDir) say(`logs kept in ${join(run.runDir, 'logs')}`);
}

async function main() {
  run.runDir = mkdtempSync(join(tmpdir(), 'oms-takeover-'));
  const logDir = join(run.runDir, 'logs');
  mkdirSync(logDir);
  const dist = prepareBundles({ root: ROOT, sourceDist: resolve(args.dist ?? join(ROOT, 'dist', 'apps')), runDir: run.runDir, explicitDist: Boolean(args.dist), say });
  const pg = (run.pg = await startPrivatePostgres(run.runDir));
  const database = await createDatabase(pg.server);
  const dsn = dsnOf(database, pg.server);
  // The binary's name carries a digest of its source: the path to start is the one returned.
  run.kafka = await startKafkaMock(buildKafkaMock(ROOT, KAFKA_MOCK_BINARY), ['oms.order.events:12', 'oms.dlq:3', 'oms.saga.events:12'], createWriteStream(join(logDir, 'kafka-mock.log')));
  const baseEnv = baseEnvOf(ROOT, 'warn');
  execFileSync(process.execPath, [join(dist, 'migrator', 'main.cjs'), 'migrate', 'up'], { cwd: ROOT, env: { ...baseEnv, OMS_POSTGRES_DSN: dsn }, stdio: ['ignore', 'pipe', 'pipe'] });
  run.pool = openPool(database, pg.server);
  const launch = appStarter({ root: ROOT, dist, logDir, baseEnv, processes: run.processes });
  const omsEnv = omsEnvOf({ dsn, brokers: run.kafka.brokers });
  const partners = await launch('partner-mocks', 'partner-mocks', {});
  await waitReady(partners.readyUrl, partners);
  const partnerAddr = `127.0.0.1:${partners.ports.grpc}`;
  const sagaEnv = { ...omsEnv(4), OMS_PARTNER_DRIVER: 'grpc', OMS_PARTNER_INVENTORY_ADDR: partnerAddr, OMS_PARTNER_PAYMENT_ADDR: partnerAddr, OMS_SAGA_CONSUMER_GROUP: SAGA_GROUP, ...extraEnv };
  const api = await launch('order-api', 'order-api', omsEnv(6));
  const relay = await launch('outbox-relay', 'outbox-relay', omsEnv(3));
  const survivor = await launch('saga-1', 'saga-orchestrator', sagaEnv);
  await Promise.all([api, relay, survivor].map((app) => waitReady(app.readyUrl, app, 120_000)));
  say(`consumer settings: ${JSON.stringify(extraEnv)} (unset = the build's defaults)`);

  const client = new ApiClient(`http://127.0.0.1:${api.ports.http}`, { requests: 0, polls: 0, retries: 0, connectionErrors: 0 });
  let index = 0;
  const results = [];
  for (let attempt = 1; attempt <= Number(args.runs); attempt++) {
    const victim = await launch(`saga-2-run-${attempt}`, 'saga-orchestrator', sagaEnv);
    await waitReady(victim.readyUrl, victim, 180_000);
    const group = await waitForStableGroup(run.kafka.brokers, SAGA_GROUP, 2, 180_000);
    say(`run ${attempt}: group ${group.stable ? 'stable' : 'NOT stable'} with two members`);
    await sleep(3_000);

    // Orders paid at a steady rate; the victim is killed 3 s in.
    const paid = [];
    let killedAt;
    const loadEnd = Date.now() + 3_000 + LOAD_AFTER_KILL_MS;
    const pending = [];
    for (let i = 0; Date.now() < loadEnd; i++) {
      if (!killedAt && Date.now() >= loadEnd - LOAD_AFTER_KILL_MS) {
        victim.killNow();
        killedAt = Date.now();
      }
      const n = index++;
      const sentAt = Date.now();
      pending.push(
        (async () => {
          const created = await client.call('POST', '/v1/orders', { body: orderBody(n, 'plain', 1_000_000), key: `takeover-${n}-create` });
          if (created.status !== 201) return;
          const answer = await client.call('POST', `/v1/orders/${created.json.order.id}/pay`, { key: `takeover-${n}-pay` });
          if (answer.status === 202) paid.push({ orderId: created.json.order.id, sentAt });
        })(),
      );
      await sleep(1000 / RATE_PER_SECOND);
    }
    await Promise.all(pending);
    // Every paid order gets its saga (bounded).
    const deadline = Date.now() + 120_000;
    let sagas = new Map();
    for (;;) {
      const { rows } = await run.pool.query(`SELECT order_id, created_at FROM sagas WHERE order_id = ANY($1)`, [paid.map((order) => order.orderId)]);
      sagas = new Map(rows.map((row) => [row.order_id, row.created_at.getTime()]));
      if (sagas.size === paid.length || Date.now() > deadline) break;
      await sleep(500);
    }
    const justAfter = paid.filter((order) => order.sentAt >= killedAt && order.sentAt < killedAt + 2_000);
    const waits = justAfter.map((order) => (sagas.get(order.orderId) ?? Infinity) - killedAt);
    const takeoverMs = waits.length ? Math.max(...waits) : NaN;
    const unstarted = paid.length - sagas.size;
    results.push({ attempt, takeoverMs, orders: justAfter.length, unstarted });
    say(`run ${attempt}: takeover ${(takeoverMs / 1000).toFixed(1)} s (orders sent in the first 2 s: ${justAfter.length}, saga started after ${waits.map((ms) => (ms / 1000).toFixed(1)).join(' ')} s; sagas not started: ${unstarted})`);
  }
  const times = results.filter((result) => Number.isFinite(result.takeoverMs)).map((result) => result.takeoverMs / 1000);
  console.log(`\ntakeover after kill -9 of one of two saga-orchestrators: ${times.map((t) => `${t.toFixed(1)} s`).join(', ')} (median ${[...times].sort((a, b) => a - b)[Math.floor(times.length / 2)].toFixed(1)} s); settings ${JSON.stringify(extraEnv)}`);
  const failed = results.filter((result) => result.unstarted > 0 || !Number.isFinite(result.takeoverMs)).length;
  return { passed: results.length - failed, failed };
}

await finishRun({ label: 'takeover', main, cleanUp, processes: run.processes, elapsed, keepLogs: args['keep-logs'] });
