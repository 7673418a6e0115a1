/**
 * Runs `task` every intervalMs, one run at a time: a tick that finds a run still going is
 * skipped, and stop() aborts the signal the run was given and waits for it (a long run, such as
 * a cleanup's first pass over a large backlog, ends at its next check of the signal instead of
 * holding up the shutdown); once stopped it runs no more. For the background cleanups and sweeps
 * of the apps (their Nest lifecycle hooks call start and stop). The timer never keeps the process up.
 */
export class PeriodicRun<T> {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<T> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly task: (signal: AbortSignal) => Promise<T>,
    /** What a run that was skipped (one already going) resolves with. */
    private readonly skipped: T,
  ) {}

  /** Starts the ticks; false (and nothing scheduled) when intervalMs is 0 or less. */
  start(intervalMs: number): boolean {
    if (intervalMs <= 0 || this.timer) return false;
    this.timer = setInterval(() => void this.runOnce(), intervalMs);
    this.timer.unref?.();
    return true;
  }

  /** One run now, unless one is going or stop() was called (then `skipped`). */
  runOnce(): Promise<T> {
    if (this.running || this.stopping.signal.aborted) return Promise.resolve(this.skipped);
    this.running = this.task(this.stopping.signal).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }
}

/** What deleteInBatches did: the rows deleted, and whether a batch failed (and with what) before the end. */
export type BatchDeletion = { readonly deleted: number; readonly failed: false } | { readonly deleted: number; readonly failed: true; readonly error: unknown };

/**
 * Calls deleteBatch(limit) until a batch comes back short of `limit`, or `signal` is aborted
 * (checked between batches: the rest waits for the next run); resolves with what was deleted
 * and, when a batch failed, its error (what was deleted before it counts). `failed` tells a
 * failure apart even from a rejection with no reason.
 */
export async function deleteInBatches(
  deleteBatch: (limit: number) => Promise<number>,
  limit: number,
  onBatch?: (deleted: number) => void,
  signal?: AbortSignal,
): Promise<BatchDeletion> {
  let deleted = 0;
  try {
    for (;;) {
      const batch = await deleteBatch(limit);
      deleted += batch;
      onBatch?.(batch);
      if (batch < limit || signal?.aborted) return { deleted, failed: false };
    }
  } catch (error) {
    return { deleted, failed: true, error };
  }
}
