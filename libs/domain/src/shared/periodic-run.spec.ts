import { deleteInBatches, PeriodicRun } from './periodic-run';

describe('PeriodicRun', () => {
  afterEach(() => jest.useRealTimers());

  it('runs on its interval, one run at a time, and stop waits for the run in progress', async () => {
    jest.useFakeTimers();
    const releases: (() => void)[] = [];
    let started = 0;
    const runs = new PeriodicRun(async () => {
      started++;
      await new Promise<void>((resolve) => releases.push(resolve));
      return 'done';
    }, 'skipped');

    expect(runs.start(1_000)).toBe(true);
    expect(runs.start(1_000)).toBe(false); // already ticking
    await jest.advanceTimersByTimeAsync(3_000);
    expect(started).toBe(1); // the two later ticks found the first run going
    await expect(runs.runOnce()).resolves.toBe('skipped');

    let stopped = false;
    const stopping = runs.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    releases.shift()?.();
    await stopping;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(started).toBe(1); // no tick after stop
    await expect(runs.runOnce()).resolves.toBe('skipped'); // nor a run
  });

  it('tells the run in progress that it is stopping', async () => {
    let release!: () => void;
    let seen: AbortSignal | undefined;
    const runs = new PeriodicRun(async (signal) => {
      seen = signal;
      await new Promise<void>((resolve) => (release = resolve));
      return signal.aborted;
    }, false);
    const run = runs.runOnce();
    expect(seen?.aborted).toBe(false);
    const stopping = runs.stop();
    expect(seen?.aborted).toBe(true);
    release();
    await stopping;
    await expect(run).resolves.toBe(true);
  });

  it('is off at an interval of 0, and a failed run does not block the next', async () => {
    let calls = 0;
    const runs = new PeriodicRun(async () => {
      calls++;
      if (calls === 1) throw new Error('first fails');
      return calls;
    }, 0);
    expect(runs.start(0)).toBe(false);
    await expect(runs.runOnce()).rejects.toThrow('first fails');
    await expect(runs.runOnce()).resolves.toBe(2);
    await runs.stop();
  });
});

describe('deleteInBatches', () => {
  it('deletes until a batch comes back short, reporting each batch', async () => {
    const left = [5, 5, 2];
    const seen: number[] = [];
    const result = await deleteInBatches(async (limit) => Math.min(limit, left.shift() ?? 0), 5, (batch) => seen.push(batch));
    expect(result).toEqual({ deleted: 12, failed: false });
    expect(seen).toEqual([5, 5, 2]);
  });

  it('stops at an error and keeps the count of what was deleted before it', async () => {
    const failure = new Error('statement timeout');
    let calls = 0;
    const result = await deleteInBatches(async (limit) => {
      if (++calls === 3) throw failure;
      return limit;
    }, 10);
    expect(result).toEqual({ deleted: 20, failed: true, error: failure });
  });

  it('stops after the batch in progress once its signal is aborted', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const result = await deleteInBatches(
      async (limit) => {
        if (seen.length === 2) stop.abort();
        return limit;
      },
      10,
      (batch) => seen.push(batch),
      stop.signal,
    );
    expect(result).toEqual({ deleted: 30, failed: false });
    expect(seen).toEqual([10, 10, 10]);
  });

  it('counts a rejection without a reason as a failure', async () => {
    let calls = 0;
    const result = await deleteInBatches(async (limit) => {
      if (++calls === 2) return Promise.reject(undefined);
      return limit;
    }, 10);
    expect(result).toEqual({ deleted: 10, failed: true, error: undefined });
  });
});
