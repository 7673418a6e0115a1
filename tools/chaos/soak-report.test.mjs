// Unit tests of the soak's verdict and outputs (no I/O).   node --test tools/chaos/
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricValue, processSample } from './lib/metrics-sampler.mjs';
import { memorySlopes, minuteTable, slope, svgPlot } from './lib/soak-report.mjs';

const EXPOSITION = `# HELP process_resident_memory_bytes Resident memory size in bytes.
process_resident_memory_bytes 209715200
nodejs_heap_size_used_bytes 52428800
oms_heap_live_bytes 31457280
nodejs_eventloop_lag_p99_seconds 0.0125
nodejs_active_handles_total 17
oms_db_pool_connections{state="total"} 6
oms_db_pool_connections{state="idle"} 4
oms_db_pool_connections{state="waiting"} 1
nodejs_active_handles{type="Socket"} 9
`;

/**
 * Samples every 10 s for `minutes`, one app whose RSS and live heap grow by `perMin` MiB a
 * minute; heap used climbs by 20 MiB of garbage over a 12-minute collection cycle.
 */
function series(minutes, perMin, { pidAt = () => 1 } = {}) {
  const samples = [];
  for (let i = 0; i <= minutes * 6; i++) {
    const t = i / 6;
    const wobble = Math.sin(t * 7) * 3;
    const garbage = 20 * ((t % 12) / 12); // grows between full collections, dropped by each
    samples.push({
      tMin: t,
      apps: { app: { rssMiB: 150 + perMin * t + wobble, heapMiB: 40 + perMin * t + garbage, liveMiB: 30 + perMin * t + wobble / 10, loopP99Ms: 12, handles: 10, poolInUse: 1, poolWaiting: 0, pid: pidAt(t) } },
      backlog: { outbox: 0, sagas: 0, open: 2, done: Math.round(t * 600) },
    });
  }
  return samples;
}

describe('metrics of one process', () => {
  it('reads a value by name and labels, not a longer name sharing the prefix', () => {
    assert.equal(metricValue(EXPOSITION, 'nodejs_active_handles_total'), 17);
    assert.equal(metricValue(EXPOSITION, 'oms_db_pool_connections', { state: 'idle' }), 4);
    assert.equal(metricValue(EXPOSITION, 'nodejs_active_handles', { type: 'Socket' }), 9);
    assert.equal(metricValue(EXPOSITION, 'nodejs_heap_size_total_bytes'), undefined);
  });

  it('keeps MiB, milliseconds and pool connections in use', () => {
    assert.deepEqual(processSample(EXPOSITION), { rssMiB: 200, heapMiB: 50, liveMiB: 30, loopP99Ms: 12.5, handles: 17, poolInUse: 2, poolWaiting: 1 });
  });
});

describe('memory slope', () => {
  it('is the least-squares slope', () => {
    assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
    assert.equal(slope([[0, 1], [1, 3]]), undefined);
  });

  it('finds a leak of 3 MiB/min in the last half and nothing in a flat series', () => {
    const [leaking] = memorySlopes(series(20, 3), ['app'], { warmupMin: 1, minSpanMin: 4 });
    assert.equal(leaking.judged, true);
    assert.ok(Math.abs(leaking.rss - 3) < 0.3, `rss slope ${leaking.rss}`);
    assert.ok(Math.abs(leaking.heap - 3) < 0.3, `heap slope ${leaking.heap}`);
    const [flat] = memorySlopes(series(20, 0), ['app'], { warmupMin: 1, minSpanMin: 4 });
    assert.ok(Math.abs(flat.rss) < 0.3, `rss slope ${flat.rss}`);
    assert.ok(Math.abs(flat.heap) < 0.3, `heap slope ${flat.heap}`);
  });

  it('judges the heap on its live size: the garbage of a collection cycle is no leak', () => {
    // The last half (5-10 min) is one rising phase of the cycle: heap used alone would call it a leak.
    const [flat] = memorySlopes(series(10, 0), ['app'], { warmupMin: 1, minSpanMin: 4 });
    assert.ok(flat.heapUsed > 1, `heap used slope ${flat.heapUsed}`);
    assert.ok(Math.abs(flat.heap) < 0.1, `live heap slope ${flat.heap}`);
  });

  it('reads no live heap before the first full collection (served as 0)', () => {
    assert.ok(Number.isNaN(processSample(EXPOSITION.replace('oms_heap_live_bytes 31457280', 'oms_heap_live_bytes 0')).liveMiB));
  });

  it('judges a restarted process on its new life after the warm-up, or not at all when that is too short', () => {
    const [restarted] = memorySlopes(series(20, 0, { pidAt: (t) => (t < 12 ? 1 : 2) }), ['app'], { warmupMin: 1, minSpanMin: 4 });
    assert.ok(restarted.from >= 13 - 1e-9 && restarted.judged, JSON.stringify(restarted));
    const [late] = memorySlopes(series(20, 0, { pidAt: (t) => (t < 17 ? 1 : 2) }), ['app'], { warmupMin: 1, minSpanMin: 4 });
    assert.equal(late.judged, false);
  });
});

describe('outputs', () => {
  it('a table row per minute with the fault started in it', () => {
    const table = minuteTable(series(3, 0), [{ tMin: 1.5, name: 'kill -9 saga-2' }]).split('\n');
    assert.equal(table.length, 2 + 4);
    assert.match(table[3], /^\| 1 \| .*\| kill -9 saga-2 \|$/);
    assert.match(table[3], /\| 10\.0 \| kill/); // 600 orders done a minute
  });

  it('an SVG with a path per series and a line per fault', () => {
    const svg = svgPlot(series(3, 1), ['app'], [{ tMin: 1.5, name: 'PostgreSQL restart' }], 'soak <test>');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.match(/<path /g) ?? []).length, 2 + 3);
    assert.equal((svg.match(/stroke-dasharray/g) ?? []).length, 3);
    assert.ok(svg.includes('soak &lt;test&gt;'));
    assert.ok(svg.trimEnd().endsWith('</svg>'));
  });
});

describe('failover client', () => {
  it('sends to its own order-api while it is up, to another one while it is down', async () => {
    const { FailoverApiClient } = await import('./lib/failover-client.mjs');
    const apis = [1, 2].map((port) => ({ ports: { http: port }, running: true, supervised: true }));
    const client = new FailoverApiClient(apis, 0, { requests: 0, polls: 0, retries: 0, connectionErrors: 0 });
    assert.equal(client.baseUrl, 'http://127.0.0.1:1');
    apis[0].supervised = false; // killed by a fault, restarting
    assert.equal(client.baseUrl, 'http://127.0.0.1:2');
    apis[0].supervised = true;
    assert.equal(client.baseUrl, 'http://127.0.0.1:1');
  });
});
