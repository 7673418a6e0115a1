import { SagaDriveQueue } from './saga-drive.queue';

describe('SagaDriveQueue', () => {
  it('runs at most maxConcurrent drives at once and reports how long each waited for a slot', async () => {
    const waits: number[] = [];
    const queue = new SagaDriveQueue(2, (waitMs) => waits.push(waitMs));
    const releases: (() => void)[] = [];
    let running = 0;
    let most = 0;
    const drive = () =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });

    const drives = ['saga-a', 'saga-b', 'saga-c'].map((sagaId) => queue.enqueue(sagaId, drive));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(waits).toHaveLength(2); // two slots taken at once; the third drive waits

    releases.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(waits).toHaveLength(3);
    // Queued for at least the 20 ms the first drive held its slot; the first two took free slots at once.
    expect(waits[2]).toBeGreaterThanOrEqual(15);
    expect(Math.max(waits[0] ?? 0, waits[1] ?? 0)).toBeLessThan(waits[2] ?? 0);
    while (releases.length > 0) releases.shift()?.();
    await Promise.all(drives);
    expect(most).toBe(2);
  });
});
