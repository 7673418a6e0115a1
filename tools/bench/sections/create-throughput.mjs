// 1. POST /v1/orders throughput per connection count, each level followed by pgbench running
//    the same SQL at the same client count; ratio OMS / pgbench.
import { addCpu, cpuPer1000 } from '../lib/cpu-usage.mjs';
import { runLoad } from '../lib/load-process.mjs';
import { PGBENCH_SCRIPT_WITHOUT_NOTIFY, runPgbench, samplePlacement } from '../lib/pgbench.mjs';
import { serverFacts } from '../lib/postgres.mjs';
import { sampleWaitEvents } from '../lib/wait-events.mjs';
import { round } from '../lib/stats.mjs';

/** Connections pgbench may open now without crowding out the apps and other users of the server. */
async function pgbenchClientCap() {
  const facts = await serverFacts();
  return Math.max(1, facts.max_connections - facts.reserved - facts.connections - 10);
}

export async function createThroughput({ topology, scale, database, pgbenchDatabase, cpu, log }) {
  const url = topology.apiUrl;
  log(`warm-up: ${scale.warmupSeconds} s of POST /v1/orders at 8 connections`);
  await runLoad('http-create.mjs', { url, connections: 8, seconds: scale.warmupSeconds }, { log });
  const sample = await samplePlacement(database);

  const levels = [];
  const cpuSeconds = {};
  let orders = 0;
  for (const connections of scale.createLevels) {
    const before = await cpu.snapshot();
    const { result: oms, waits } = await sampleWaitEvents(database, () =>
      runLoad('http-create.mjs', { url, connections, seconds: scale.createSeconds }, { log }),
    );
    const machine = await cpu.machineSince(before);
    addCpu(cpuSeconds, await cpu.since(before));
    orders += oms.ok2xx;
    log(`  OMS   ${connections} connections: ${oms.requestsPerSecond} req/s, p50 ${oms.latencyMs.p50} ms, p99 ${oms.latencyMs.p99} ms, non-2xx ${oms.non2xx}, errors ${oms.errors}`);

    const clients = Math.min(connections, await pgbenchClientCap());
    const pgbenchStart = await cpu.snapshot();
    const { result: pgbench, waits: pgbenchWaits } = await sampleWaitEvents(pgbenchDatabase, () =>
      runPgbench({ database: pgbenchDatabase, clients, seconds: scale.createSeconds, sample }),
    );
    pgbench.backendStates = pgbenchWaits;
    pgbench.machine = await cpu.machineSince(pgbenchStart);
    log(`  pgbench ${clients} clients: ${pgbench.tps} tps, p50 ${pgbench.latencyMs.p50} ms, p99 ${pgbench.latencyMs.p99} ms`);
    // The same transaction without NOTIFY: what the placement SQL could do without the notify lock.
    const withoutNotify = await runPgbench({
      database: pgbenchDatabase,
      clients,
      seconds: scale.pgbenchVariantSeconds,
      sample,
      script: PGBENCH_SCRIPT_WITHOUT_NOTIFY,
    });
    log(`  pgbench ${clients} clients without NOTIFY: ${withoutNotify.tps} tps, p99 ${withoutNotify.latencyMs.p99} ms`);
    levels.push({
      connections,
      oms: { ...oms, machine, backendStates: waits },
      pgbench: { ...pgbench, requestedClients: connections, cappedByMaxConnections: clients < connections },
      pgbenchWithoutNotify: withoutNotify,
      ratio: pgbench.tps > 0 ? round(oms.requestsPerSecond / pgbench.tps, 3) : null,
      ratioWithoutNotify: withoutNotify.tps > 0 ? round(oms.requestsPerSecond / withoutNotify.tps, 3) : null,
    });
  }
  return { levels, cpu: cpuPer1000(cpuSeconds, orders) };
}
