// 2. create -> pay -> CONFIRMED at fixed arrival rates, through the whole topology.
import { scrapeApps, waitsPerOrder } from '../lib/app-waits.mjs';
import { addCpu, cpuPer1000 } from '../lib/cpu-usage.mjs';
import { costPerOrder, costSnapshot } from '../lib/db-cost.mjs';
import { observerDsnOf } from '../lib/postgres.mjs';
import { runLoad } from '../lib/load-process.mjs';
import { waitQuiet } from '../lib/quiet.mjs';

/** One open-loop run of the load generator at `rate` for `seconds`. */
function load({ topology, scale, database, log }, rate, seconds) {
  return runLoad(
    'end-to-end.mjs',
    {
      url: topology.apiUrl,
      rate,
      seconds,
      brokers: topology.brokers,
      topic: 'oms.order.events',
      dsn: observerDsnOf(database),
      drainSeconds: scale.e2eDrainSeconds,
      backlogSeconds: scale.e2eDrainSeconds,
    },
    { log, timeoutMs: (seconds + 2 * scale.e2eDrainSeconds + 150) * 1000 },
  );
}

export async function endToEnd(context) {
  const { topology, scale, database, cpu, log } = context;
  const rates = [];
  const cpuSeconds = {};
  let orders = 0;
  // Processes just started cost more per order while V8 compiles their hot paths (its optimizing
  // compiler runs on threads of its own): measured at 30/s, the apps' CPU per order fell by a third
  // over the first three minutes. A service runs for days, so the rates are measured after this.
  const [warmupRate] = scale.e2eRates;
  if (scale.e2eWarmupSeconds > 0 && warmupRate !== undefined) {
    log(`  warm-up: ${scale.e2eWarmupSeconds} s at ${warmupRate}/s, not measured`);
    const warmup = await load(context, warmupRate, scale.e2eWarmupSeconds);
    log(`  warm-up: ${warmup.confirmed}/${warmup.scheduled} confirmed`);
  }
  for (const rate of scale.e2eRates) {
    const settledBefore = await waitQuiet({ topology, database });
    log(`  backlog of earlier load: waited ${settledBefore.waitedSeconds} s (outbox pending ${settledBefore.pending}, saga lag ${settledBefore.lag}, sagas running ${settledBefore.runningSagas})`);
    const apps = [topology.api, topology.saga, ...topology.relays];
    const before = await cpu.snapshot();
    const costBefore = await costSnapshot(database);
    const appsBefore = await scrapeApps(apps);
    const result = await load(context, rate, scale.e2eSeconds);
    const appsAfter = await scrapeApps(apps);
    const machine = await cpu.machineSince(before);
    const rateCpu = await cpu.since(before);
    const loadEnded = Date.now();
    const costAfter = await costSnapshot(database);
    // Backends report table and database counters at most once a second, and an idle one only after 10 s (smoke: waits less).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, scale.statsFlushMs - (Date.now() - loadEnded))));
    const { tables, sessions } = await costSnapshot(database);
    const database_ = costPerOrder(costBefore, { ...costAfter, tables, sessions }, result.confirmed);
    addCpu(cpuSeconds, rateCpu);
    orders += result.confirmed;
    const committed = result.payToConfirmedCommittedMs;
    const bus = result.payToConfirmedOnBusMs;
    log(
      `  ${rate}/s: ${result.confirmed}/${result.scheduled} confirmed (${result.confirmedPerSecond}/s); pay -> CONFIRMED committed p50 ${committed.p50} p99 ${committed.p99} ms` +
        (bus ? `; on the bus p50 ${bus.p50} p99 ${bus.p99} ms` : ''),
    );
    // Per confirmed order; orders paid but not confirmed by the end make this an upper bound.
    const waits = waitsPerOrder(appsBefore, appsAfter, result.confirmed);
    rates.push({ ...result, settledBefore, machine, cpu: cpuPer1000(rateCpu, result.confirmed), database: database_, waits });
  }
  return { rates, cpu: cpuPer1000(cpuSeconds, orders) };
}
