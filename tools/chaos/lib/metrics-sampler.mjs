// One sample of every app's /metrics (prom-client default metrics plus the pool gauge) and of
// the backlogs in the store, for the soak's table and plot.

/** The value of `name` (with exactly the labels in `labels`, when given) in a Prometheus text exposition. */
export function metricValue(text, name, labels = {}) {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const match = /^[^{\s]+(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (wanted.every(([key, value]) => found[key] === value)) return Number(match[2]);
  }
  return undefined;
}

const MIB = 1024 * 1024;

/** What the soak keeps of one process's exposition; undefined fields were not exposed. */
export function processSample(text) {
  const pool = (state) => metricValue(text, 'oms_db_pool_connections', { state });
  const total = pool('total');
  const idle = pool('idle');
  return {
    rssMiB: (metricValue(text, 'process_resident_memory_bytes') ?? NaN) / MIB,
    heapMiB: (metricValue(text, 'nodejs_heap_size_used_bytes') ?? NaN) / MIB,
    // 0 until the process's first full collection: no figure yet.
    liveMiB: (metricValue(text, 'oms_heap_live_bytes') || NaN) / MIB,
    loopP99Ms: (metricValue(text, 'nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000,
    handles: metricValue(text, 'nodejs_active_handles_total') ?? NaN,
    poolInUse: total === undefined || idle === undefined ? NaN : total - idle,
    poolWaiting: pool('waiting') ?? NaN,
  };
}

/** Scrapes every running app; an app that is down (killed, restarting) has no sample this round. */
export async function sampleProcesses(apps) {
  const entries = await Promise.all(
    apps.map(async (app) => {
      if (!app.running) return [app.name, undefined];
      try {
        const response = await fetch(`http://127.0.0.1:${app.ports.metrics}/metrics`, { signal: AbortSignal.timeout(5_000) });
        return [app.name, response.status === 200 ? { ...processSample(await response.text()), pid: app.child.pid } : undefined];
      } catch {
        return [app.name, undefined];
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Outbox rows not yet sent, sagas running, orders not terminal: each must be back at zero at the end. */
export async function sampleBacklog(pool) {
  const { rows } = await pool.query(
    `SELECT (SELECT count(*)::int FROM outbox WHERE status = 'pending') AS outbox,
            (SELECT count(*)::int FROM sagas WHERE status = 'RUNNING') AS sagas,
            (SELECT count(*)::int FROM orders_view WHERE status NOT IN ('CONFIRMED', 'CANCELED')) AS open,
            (SELECT count(*)::int FROM orders_view WHERE status IN ('CONFIRMED', 'CANCELED')) AS done`,
  );
  return rows[0];
}
