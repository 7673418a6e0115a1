/**
 * Wakes one loop that sleeps until something happens or a timeout passes. A `fire()`
 * while nobody waits is remembered, so an event that arrives while the loop is busy is
 * not lost; loops re-check their state after waking, so a spurious wake-up is harmless.
 */
export class WakeSignal {
  private pending = false;
  private waiters: Array<() => void> = [];

  fire(): void {
    if (this.waiters.length === 0) {
      this.pending = true;
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next `fire()` (at once if one is pending), or after `timeoutMs` when given. */
  wait(timeoutMs?: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = (): void => {
        if (timer) clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((waiter) => waiter !== wake);
          resolve();
        }, Math.max(0, timeoutMs));
      }
    });
  }
}
