import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExposition, waitsPerOrder } from './app-waits.mjs';

const scrape = ({ pool, drive, reserve, lag }) =>
  parseExposition(
    [
      '# HELP oms_db_pool_wait_seconds Time a statement or transaction waited for a PostgreSQL pool connection, in seconds.',
      '# TYPE oms_db_pool_wait_seconds histogram',
      `oms_db_pool_wait_seconds_bucket{le="0.0005"} ${pool.count}`,
      `oms_db_pool_wait_seconds_sum ${pool.sum}`,
      `oms_db_pool_wait_seconds_count ${pool.count}`,
      ...(drive ? [`oms_saga_drive_wait_seconds_sum ${drive.sum}`, `oms_saga_drive_wait_seconds_count ${drive.count}`] : []),
      ...(reserve
        ? [
            `oms_saga_step_duration_seconds_sum{step="reserve"} ${reserve.sum}`,
            `oms_saga_step_duration_seconds_count{step="reserve"} ${reserve.count}`,
            'oms_saga_step_duration_seconds_sum{step="charge"} 9',
            'oms_saga_step_duration_seconds_count{step="charge"} 3',
          ]
        : []),
      `nodejs_eventloop_lag_p99_seconds ${lag}`,
    ].join('\n'),
  );

test('per confirmed order: how many waits and their mean, from two scrapes of each app', () => {
  const before = {
    'saga-orchestrator': scrape({ pool: { sum: 1, count: 100 }, drive: { sum: 0.5, count: 10 }, reserve: { sum: 1, count: 10 }, lag: 0.5 }),
    'order-api': scrape({ pool: { sum: 0, count: 0 }, lag: 0.01 }),
  };
  const after = {
    'saga-orchestrator': scrape({ pool: { sum: 3, count: 600 }, drive: { sum: 2.5, count: 210 }, reserve: { sum: 3, count: 110 }, lag: 0.0251 }),
    'order-api': scrape({ pool: { sum: 0.8, count: 400 }, lag: 0.012 }),
  };
  const waits = waitsPerOrder(before, after, 100);
  assert.deepEqual(waits['saga-orchestrator'], {
    poolCheckouts: { perOrder: 5, meanMs: 4 }, // 500 check-outs, 2 s of waiting
    driveSlots: { perOrder: 2, meanMs: 10 },
    reserveCall: { perOrder: 1, meanMs: 20 },
    chargeCall: { perOrder: 0, meanMs: null }, // no call between the scrapes
    eventLoopDelayP99Ms: 25.1, // the second scrape's own window
  });
  assert.deepEqual(waits['order-api'], { poolCheckouts: { perOrder: 4, meanMs: 2 }, eventLoopDelayP99Ms: 12 });
});

test('an app missing from the first scrape is left out', () => {
  const after = { 'outbox-relay-1': scrape({ pool: { sum: 1, count: 10 }, lag: 0.01 }) };
  assert.deepEqual(waitsPerOrder({}, after, 10), {});
});
