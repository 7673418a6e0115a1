import { Logger } from '@nestjs/common';
import { loadConfig } from '@oms/config';
import { Clock, IdempotencyStore } from '@oms/domain';
import { createMemoryDrivers } from '@oms/storage';
import { OmsMetrics } from '@oms/observability';
import { IdempotencyCleanupWorker } from '@oms/orders';

const NOW = new Date('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;

class FixedClock extends Clock {
  now(): Date {
    return NOW;
  }
}

/** Records every deleteExpired call so the test can check the batch bound. */
class RecordingStore extends IdempotencyStore {
  readonly deletes: { limit: number; deleted: number; createdBefore: Date }[] = [];
  failNext = false;
  constructor(private readonly inner: IdempotencyStore) {
    super();
  }
  begin: IdempotencyStore['begin'] = (claim, now) => this.inner.begin(claim, now);
  complete: IdempotencyStore['complete'] = (completion, now) => this.inner.complete(completion, now);
  release: IdempotencyStore['release'] = (key, scope) => this.inner.release(key, scope);
  async deleteExpired(createdBefore: Date, limit: number): Promise<number> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database unavailable');
    }
    const deleted = await this.inner.deleteExpired(createdBefore, limit);
    this.deletes.push({ limit, deleted, createdBefore });
    return deleted;
  }
}

async function claim(store: IdempotencyStore, key: string, at: Date): Promise<void> {
  await store.begin({ key, scope: 'CreateOrder', requestHash: 'h', lockMs: 1000 }, at);
  await store.complete({ key, scope: 'CreateOrder', response: { status: 201, body: {} } }, at);
}

describe('IdempotencyCleanupWorker', () => {
  beforeAll(() => Logger.overrideLogger(false));
  const config = loadConfig({ OMS_IDEMPOTENCY_TTL: '24h', OMS_IDEMPOTENCY_CLEANUP_BATCH_SIZE: '500', OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '0' });

  it('deletes the 5,000 expired keys in bounded batches and keeps the 100 live ones', async () => {
    const inner = createMemoryDrivers().idempotency;
    const store = new RecordingStore(inner);
    for (let i = 0; i < 5_000; i++) await claim(store, `old-${i}`, new Date(NOW.getTime() - 25 * HOUR));
    for (let i = 0; i < 100; i++) await claim(store, `live-${i}`, new Date(NOW.getTime() - 23 * HOUR));

    const worker = new IdempotencyCleanupWorker(store, new FixedClock(), config);
    expect(await worker.runOnce()).toBe(5_000);

    expect(Math.max(...store.deletes.map((call) => call.deleted))).toBeLessThanOrEqual(500);
    expect(store.deletes.every((call) => call.limit === 500)).toBe(true);
    expect(store.deletes.map((call) => call.createdBefore.toISOString())).toContain(new Date(NOW.getTime() - 24 * HOUR).toISOString());
    expect(worker.stats).toEqual({ runs: { success: 1, failure: 0 }, deletedTotal: 5_000, lastDeleted: 5_000 });

    for (let i = 0; i < 100; i++) {
      const again = await store.begin({ key: `live-${i}`, scope: 'CreateOrder', requestHash: 'h', lockMs: 1000 }, NOW);
      expect(again.outcome).toBe('replay');
    }
    const expired = await store.begin({ key: 'old-7', scope: 'CreateOrder', requestHash: 'other', lockMs: 1000 }, NOW);
    expect(expired.outcome).toBe('started');
  });

  it('counts a failed run and carries on with the next one', async () => {
    const store = new RecordingStore(createMemoryDrivers().idempotency);
    await claim(store, 'old', new Date(NOW.getTime() - 48 * HOUR));
    const metrics = new OmsMetrics();
    const worker = new IdempotencyCleanupWorker(store, new FixedClock(), config, metrics);
    store.failNext = true;
    expect(await worker.runOnce()).toBe(0);
    expect(await worker.runOnce()).toBe(1);
    expect(worker.stats).toEqual({ runs: { success: 1, failure: 1 }, deletedTotal: 1, lastDeleted: 1 });
    // The Go OMS's labels: its OMSIdempotencyCleanupFailures alert selects result="error".
    const text = await metrics.expose();
    expect(text).toContain('oms_idempotency_cleanup_runs_total{result="error"} 1');
    expect(text).toContain('oms_idempotency_cleanup_runs_total{result="ok"} 1');
  });

  it('does not schedule anything when the interval is 0', () => {
    jest.useFakeTimers();
    try {
      const store = new RecordingStore(createMemoryDrivers().idempotency);
      const worker = new IdempotencyCleanupWorker(store, new FixedClock(), config);
      worker.onApplicationBootstrap();
      jest.advanceTimersByTime(24 * HOUR);
      expect(store.deletes).toHaveLength(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs every interval when enabled and stops on shutdown', async () => {
    jest.useFakeTimers();
    try {
      const store = new RecordingStore(createMemoryDrivers().idempotency);
      const enabled = loadConfig({ OMS_IDEMPOTENCY_CLEANUP_INTERVAL: '10m' });
      const worker = new IdempotencyCleanupWorker(store, new FixedClock(), enabled);
      worker.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(20 * 60_000);
      expect(store.deletes).toHaveLength(2);
      await worker.beforeApplicationShutdown();
      await jest.advanceTimersByTimeAsync(60 * 60_000);
      expect(store.deletes).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });
});
