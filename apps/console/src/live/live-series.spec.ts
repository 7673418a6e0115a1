import { parseExposition } from './exposition';
import { perMinute, ratesOf, snapshotOf, trim, type Snapshot } from './live-series';

const scrape = (completed: number, canceled: number, pending: number, placed: number) =>
  parseExposition(
    [
      `oms_saga_completed_total ${completed}`,
      `oms_saga_canceled_total ${canceled}`,
      `oms_outbox_pending_records ${pending}`,
      `oms_outbox_oldest_pending_age_seconds 4`,
      `oms_http_requests_total{method="POST",route="/v1/orders",status="201"} ${placed}`,
      `oms_http_requests_total{method="POST",route="/v1/orders",status="400"} 99`,
    ].join('\n'),
  );

describe('live series', () => {
  it('takes a snapshot of the saga end counters, the outbox gauges and the orders placed', () => {
    const snapshot = snapshotOf(scrape(5, 2, 30, 11), 1_000);
    expect(snapshot).toEqual({
      at: 1_000,
      counters: { completed: 5, canceled: 2, refunded: 0, failed: 0, 'compensation-failed': 0 },
      outboxPending: 30,
      outboxOldestAgeSeconds: 4,
      ordersPlaced: 11,
    });
  });

  it('computes per-minute increases, counting a restarted counter from zero', () => {
    expect(perMinute(10, 40, 30_000)).toBe(60);
    expect(perMinute(100, 5, 60_000)).toBe(5);
    expect(perMinute(1, 2, 0)).toBe(0);
  });

  it('rates the newest snapshot against the oldest inside the window', () => {
    const history: Snapshot[] = [
      snapshotOf(scrape(0, 0, 0, 0), 0),
      snapshotOf(scrape(1, 0, 0, 4), 30_000),
      snapshotOf(scrape(4, 1, 0, 10), 60_000),
      snapshotOf(scrape(10, 1, 0, 20), 90_000),
    ];
    const rates = ratesOf(history, 60_000);
    expect(rates?.counters.completed).toBe(9); // 1 -> 10 over 60 s
    expect(rates?.counters.canceled).toBe(1);
    expect(rates?.ordersPlaced).toBe(16);
  });

  it('has no rate before two snapshots', () => {
    expect(ratesOf([], 60_000)).toBeNull();
    expect(ratesOf([snapshotOf(scrape(1, 0, 0, 0), 0)], 60_000)).toBeNull();
  });

  it('keeps only the snapshots young enough', () => {
    const history = [0, 5_000, 10_000].map((at) => snapshotOf(scrape(0, 0, 0, 0), at));
    expect(trim(history, 5_000).map((snapshot) => snapshot.at)).toEqual([5_000, 10_000]);
    expect(trim([], 5_000)).toEqual([]);
  });
});
