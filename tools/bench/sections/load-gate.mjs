// 4. The Go OMS's CI load gate: create -> pay -> cancel scenarios at a fixed concurrency.
import { runLoad } from '../lib/load-process.mjs';
import { waitQuiet } from '../lib/quiet.mjs';

export async function loadGate({ topology, scale, database, log }) {
  const settledBefore = await waitQuiet({ topology, database });
  log(`  backlog of earlier load: waited ${settledBefore.waitedSeconds} s (outbox pending ${settledBefore.pending}, saga lag ${settledBefore.lag}, sagas running ${settledBefore.runningSagas})`);
  const result = await runLoad('load-gate.mjs', { url: topology.apiUrl, scenarios: scale.gateScenarios, concurrency: scale.gateConcurrency }, { log });
  log(
    `  ${result.scenarios} scenarios at ${result.concurrency}: errors ${result.errors} (${result.errorRate}), ` +
      `p95 ${result.requestMs.p95} ms, avg ${result.requestMs.mean} ms`,
  );
  return { ...result, settledBefore };
}
