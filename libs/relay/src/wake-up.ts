/**
 * Lets the relay loop sleep until woken or a timeout passes. A wake-up that arrives while
 * the loop is busy is remembered, so a commit signalled mid-batch is not missed.
 */
export class WakeUp {
  private pending = false;
  private waiter: (() => void) | undefined;

  fire(): void {
    if (this.waiter) this.waiter();
    else this.pending = true;
  }

  /** Forgets a wake-up that arrived while the loop was busy (the round about to scan covers it). */
  clear(): void {
    this.pending = false;
  }

  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiter = done;
    });
  }
}
