import { Logger } from '@nestjs/common';
import { errorMessage } from '@oms/domain';

/** Sagas driven at once by one process: bounds database connections and partner calls in flight. */
export const MAX_CONCURRENT_DRIVES = 32;

/**
 * When saga drives run: one at a time per saga (a drive queues behind the one already running
 * for that saga in this process), at most `maxConcurrent` at once overall, and none started
 * once stopping (the saga rows say when each is due, so the recovery sweep finds them later).
 */
export class SagaDriveQueue {
  private readonly logger = new Logger('SagaRunner');
  private readonly drives = new Map<string, Promise<void>>();
  private readonly waitingForSlot: (() => void)[] = [];
  private active = 0;
  private stopped = false;

  constructor(
    private readonly maxConcurrent = MAX_CONCURRENT_DRIVES,
    /** Told how long each drive waited for a slot (0 when one was free). */
    private readonly onSlotWait: (waitMs: number) => void = () => undefined,
  ) {}

  /** True once stop() was called: drives in flight finish their step but make no new partner call. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Runs `work` for the saga after the drive of the same saga already queued; a failure is logged, not thrown. */
  enqueue(sagaId: string, work: () => Promise<void>): Promise<void> {
    return this.run(sagaId, work).catch((error: unknown) => {
      // Left for the recovery sweep: the saga row still says when it is due.
      this.logger.error(`saga ${sagaId} drive failed: ${errorMessage(error)}`);
    });
  }

  /** Runs `work` as enqueue() does, its result or failure going to the caller. */
  run<T>(sagaId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.drives.get(sagaId) ?? Promise.resolve();
    const result = previous.then(() => this.withSlot(work));
    const current = result.then(
      () => undefined,
      () => undefined,
    );
    this.drives.set(sagaId, current);
    void current.finally(() => {
      if (this.drives.get(sagaId) === current) this.drives.delete(sagaId);
    });
    return result;
  }

  isDriving(sagaId: string): boolean {
    return this.drives.has(sagaId);
  }

  /** Resolves once no drive is running (drives queued meanwhile included). */
  async idle(): Promise<void> {
    while (this.drives.size > 0) await Promise.allSettled([...this.drives.values()]);
  }

  /** Graceful stop: no new partner calls; drives in flight finish and commit their outcome. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
  }

  private async withSlot<T>(work: () => Promise<T>): Promise<T> {
    const queuedAt = performance.now();
    // A drive that finishes hands its slot to the first waiter (`active` unchanged), so a drive
    // enqueued meanwhile cannot take it first and run one over maxConcurrent.
    if (this.active >= this.maxConcurrent) await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
    else this.active++;
    this.onSlotWait(performance.now() - queuedAt);
    try {
      return await work();
    } finally {
      const next = this.waitingForSlot.shift();
      if (next) next();
      else this.active--;
    }
  }
}
