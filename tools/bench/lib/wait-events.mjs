// What the PostgreSQL backends of a database are doing while load runs: sampled from
// pg_stat_activity every 100 ms (pg_stat_statements needs shared_preload_libraries, which the
// shared server does not load). Mostly "idle" / "idle in transaction" backends mean they wait
// for the client (the app), "active" with IO/LWLock waits mean PostgreSQL itself is the limit.
import { connect } from './postgres.mjs';

export async function sampleWaitEvents(database, work) {
  const client = await connect(database);
  const counts = {};
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query(
        `SELECT state, coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, count(*)::int AS n
         FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'
         GROUP BY 1, 2`,
        [database],
      );
      samples += 1;
      for (const row of rows) {
        const key = `${row.state} ${row.state === 'active' ? row.wait : ''}`.trim();
        counts[key] = (counts[key] ?? 0) + row.n;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    return { result: await work(), waits: averageBackends(counts, samples) };
  } finally {
    running = false;
    await loop;
    await client.end();
  }
}

/** Average number of backends in each state per sample, largest first. */
function averageBackends(counts, samples) {
  return Object.fromEntries(
    Object.entries(counts)
      .map(([key, count]) => [key, Number((count / Math.max(1, samples)).toFixed(2))])
      .sort((a, b) => b[1] - a[1]),
  );
}
