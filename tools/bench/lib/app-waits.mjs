// Where work waits inside the apps during a measured load, from their own /metrics (deltas of two
// scrapes): a saga drive for a drive slot, a statement for a pool connection, a partner call, and
// the event loop's delay. The hop table says how long an order took between two commits; this
// says what it queued for inside a process.

const round = (value, digits) => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

/** `name{labels} value` lines of a Prometheus text exposition, as { 'name{labels}': number }. */
export function parseExposition(text) {
  const samples = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples[line.slice(0, cut)] = Number(line.slice(cut + 1));
  }
  return samples;
}

/** Sum and count of a histogram over its label sets that contain `labels` (e.g. 'step="reserve"'). */
function histogram(samples, name, labels = '') {
  let sum = 0;
  let count = 0;
  for (const [key, value] of Object.entries(samples)) {
    if (labels && !key.includes(labels)) continue;
    if (key === `${name}_sum` || key.startsWith(`${name}_sum{`)) sum += value;
    if (key === `${name}_count` || key.startsWith(`${name}_count{`)) count += value;
  }
  return { sum, count };
}

/** The apps' metrics right now, by process name (a failed scrape is left out). */
export async function scrapeApps(apps) {
  const scrapes = await Promise.all(
    apps.map(async (app) => {
      try {
        const text = await (await fetch(`http://127.0.0.1:${app.ports.metrics}/metrics`)).text();
        return [app.name, parseExposition(text)];
      } catch {
        return [app.name, null];
      }
    }),
  );
  return Object.fromEntries(scrapes.filter(([, samples]) => samples !== null));
}

/** Count per order and mean (ms) of one histogram between two scrapes of an app. */
function waitBetween(before, after, orders, name, labels) {
  const start = histogram(before, name, labels);
  const end = histogram(after, name, labels);
  const count = end.count - start.count;
  return { perOrder: orders > 0 ? round(count / orders, 2) : null, meanMs: count > 0 ? round(((end.sum - start.sum) / count) * 1000, 2) : null };
}

/**
 * Per app: pool check-outs per order and their mean wait; for the saga orchestrator also drives
 * and their wait for a slot, and the partner calls by step; the event loop's p99 delay over the
 * load (prom-client's event-loop histogram starts over at each scrape, so the first scrape opens it).
 */
export function waitsPerOrder(before, after, orders) {
  const result = {};
  for (const [app, end] of Object.entries(after)) {
    const start = before[app];
    if (!start) continue;
    const waits = { poolCheckouts: waitBetween(start, end, orders, 'oms_db_pool_wait_seconds') };
    if (histogram(end, 'oms_saga_drive_wait_seconds').count > 0) {
      waits.driveSlots = waitBetween(start, end, orders, 'oms_saga_drive_wait_seconds');
      waits.reserveCall = waitBetween(start, end, orders, 'oms_saga_step_duration_seconds', 'step="reserve"');
      waits.chargeCall = waitBetween(start, end, orders, 'oms_saga_step_duration_seconds', 'step="charge"');
    }
    const lag = end.nodejs_eventloop_lag_p99_seconds;
    waits.eventLoopDelayP99Ms = lag === undefined ? null : round(lag * 1000, 1);
    result[app] = waits;
  }
  return result;
}
