/**
 * Leading-edge spacing of a recurring action: the first goes at once, the next no sooner than
 * `intervalMs` after the last started. Measured on the monotonic clock (performance.now()), so a
 * wall-clock step back cannot hold the action up.
 */
export class MinInterval {
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** Milliseconds to wait before the next may start; 0 when it may start now. */
  remaining(): number {
    return Math.max(0, this.lastAt + this.intervalMs - performance.now());
  }

  /** The action starts now. */
  started(): void {
    this.lastAt = performance.now();
  }
}
