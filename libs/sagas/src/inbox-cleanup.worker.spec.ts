import { Logger } from '@nestjs/common';
import { loadConfig } from '@oms/config';
import { Inbox } from '@oms/domain';
import { FixedClock } from '@oms/domain/testing';
import { OmsMetrics } from '@oms/observability';
import { createMemoryDrivers } from '@oms/storage';
import { InboxCleanupWorker } from './inbox-cleanup.worker';

const NOW = new Date('2026-06-01T12:00:00Z');
const HOUR = 3_600_000;


/** Records each batch so the test can hold the batch bound; fails once on request. */
class RecordingInbox extends Inbox {
  readonly batches: { cutoff: Date; limit: number; deleted: number }[] = [];
  failAfter: number | undefined;
  beforeBatch: (() => void) | undefined;
  constructor(private readonly inner: Inbox) {
    super();
  }
  has: Inbox['has'] = (consumer, messageId) => this.inner.has(consumer, messageId);
  async deleteProcessedBefore(cutoff: Date, limit: number): Promise<number> {
    this.beforeBatch?.();
    if (this.failAfter !== undefined && this.batches.length >= this.failAfter) throw new Error('database unavailable');
    const deleted = await this.inner.deleteProcessedBefore(cutoff, limit);
    this.batches.push({ cutoff, limit, deleted });
    return deleted;
  }
}

function setUp(env: Record<string, string> = {}) {
  const drivers = createMemoryDrivers();
  const inbox = new RecordingInbox(drivers.inbox);
  const config = loadConfig({ OMS_INBOX_RETENTION: '720h', OMS_INBOX_CLEANUP_BATCH_SIZE: '400', OMS_INBOX_CLEANUP_INTERVAL: '0', ...env });
  const metrics = new OmsMetrics();
  const worker = new InboxCleanupWorker(inbox, new FixedClock(NOW), config, metrics);
  const handle = (messageId: string, hoursAgo: number) =>
    drivers.unitOfWork.commit({ inbox: { consumer: 'oms-saga-orchestrator', messageId } }, new Date(NOW.getTime() - hoursAgo * HOUR));
  return { inbox, worker, metrics, handle };
}

describe('InboxCleanupWorker', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('forgets the 1,000 ids handled before the retention in bounded batches and keeps the 50 younger ones', async () => {
    const { inbox, worker, metrics, handle } = setUp();
    for (let i = 0; i < 1_000; i++) await handle(`old-${i}`, 721);
    for (let i = 0; i < 50; i++) await handle(`young-${i}`, 719);

    expect(await worker.runOnce()).toBe(1_000);

    expect(inbox.batches.map((batch) => batch.deleted)).toEqual([400, 400, 200]); // stops at the first short batch
    expect(inbox.batches.every((batch) => batch.limit === 400 && batch.cutoff.getTime() === NOW.getTime() - 720 * HOUR)).toBe(true);
    for (let i = 0; i < 1_000; i += 97) await expect(inbox.has('oms-saga-orchestrator', `old-${i}`)).resolves.toBe(false);
    for (let i = 0; i < 50; i++) await expect(inbox.has('oms-saga-orchestrator', `young-${i}`)).resolves.toBe(true);
    const text = await metrics.expose();
    expect(text).toContain('oms_inbox_cleanup_runs_total{result="ok"} 1');
    expect(text).toContain('oms_inbox_cleanup_deleted_total 1000');
  });

  it('counts a run that failed half-way, what it deleted, and runs again next time', async () => {
    const { inbox, worker, metrics, handle } = setUp();
    for (let i = 0; i < 600; i++) await handle(`old-${i}`, 800);
    inbox.failAfter = 1;

    expect(await worker.runOnce()).toBe(400);
    inbox.failAfter = undefined;
    expect(await worker.runOnce()).toBe(200);

    const text = await metrics.expose();
    expect(text).toContain('oms_inbox_cleanup_runs_total{result="error"} 1');
    expect(text).toContain('oms_inbox_cleanup_runs_total{result="ok"} 1');
    expect(text).toContain('oms_inbox_cleanup_deleted_total 600');
  });

  it('ends a long run after the batch in progress when the app shuts down', async () => {
    const { inbox, worker, handle } = setUp();
    for (let i = 0; i < 1_000; i++) await handle(`old-${i}`, 800);
    let shutdown: Promise<void> | undefined;
    inbox.beforeBatch = () => (shutdown ??= worker.beforeApplicationShutdown());

    expect(await worker.runOnce()).toBe(400); // the batch under way finishes, the other 600 wait
    await shutdown;
    expect(inbox.batches.map((batch) => batch.deleted)).toEqual([400]);
    expect(await worker.runOnce()).toBe(0); // and no run starts once stopped
  });

  it('never overlaps two runs', async () => {
    const { worker, handle } = setUp();
    for (let i = 0; i < 10; i++) await handle(`old-${i}`, 800);
    const [first, second] = await Promise.all([worker.runOnce(), worker.runOnce()]);
    expect([first, second]).toEqual([10, 0]);
  });

  it('is off at OMS_INBOX_CLEANUP_INTERVAL=0 and runs on its interval otherwise', async () => {
    jest.useFakeTimers({ now: NOW });
    try {
      const off = setUp();
      await off.handle('old', 800);
      off.worker.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(3_600_000);
      expect(off.inbox.batches).toEqual([]);

      const on = setUp({ OMS_INBOX_CLEANUP_INTERVAL: '10m' });
      await on.handle('old', 800);
      on.worker.onApplicationBootstrap();
      await jest.advanceTimersByTimeAsync(10 * 60_000);
      expect(on.inbox.batches.map((batch) => batch.deleted)).toEqual([1]);
      await on.worker.beforeApplicationShutdown();
      await jest.advanceTimersByTimeAsync(60 * 60_000);
      expect(on.inbox.batches).toHaveLength(1); // stopped with the app
    } finally {
      jest.useRealTimers();
    }
  });
});
