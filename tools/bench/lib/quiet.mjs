// Waits until the pipeline has caught up with earlier sections (outbox drained, the saga's
// consumer group at the end of the topic, no saga running), so a section measures its own
// load, not a backlog.
import { sumOfMetric } from './metrics.mjs';
import { query } from './postgres.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds waited; gives up after `timeoutMs` and says so in the returned record. */
export async function waitQuiet({ topology, database, timeoutMs = 180_000 }) {
  const started = Date.now();
  let quietScrapes = 0;
  let last = { pending: null, lag: null, runningSagas: null };
  while (Date.now() - started < timeoutMs) {
    const { rows } = await query(
      database,
      `SELECT (SELECT count(*) FROM outbox WHERE status = 'pending')::int AS pending,
              (SELECT count(*) FROM sagas WHERE status = 'RUNNING')::int AS running`,
    );
    last = { pending: rows[0].pending, lag: await sumOfMetric(topology.saga, 'oms_kafka_consumer_lag'), runningSagas: rows[0].running };
    // The lag gauge is refreshed every few seconds: two quiet readings in a row.
    quietScrapes = last.pending === 0 && last.lag === 0 && last.runningSagas === 0 ? quietScrapes + 1 : 0;
    if (quietScrapes >= 2) break;
    await sleep(1_000);
  }
  return { waitedSeconds: Math.round((Date.now() - started) / 1000), quiet: quietScrapes >= 2, ...last };
}
