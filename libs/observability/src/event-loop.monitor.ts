import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/**
 * Event-loop delay over a sliding window: a process whose loop is blocked for longer than a
 * threshold cannot serve anything and should be restarted (the liveness signal).
 */
export class EventLoopMonitor {
  private histogram: IntervalHistogram | undefined;
  private lastWindowP99Ms = 0;
  private windowStartedAt = 0;

  constructor(private readonly windowMs = 10_000) {}

  start(): void {
    if (this.histogram) return;
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
    this.windowStartedAt = Date.now();
  }

  stop(): void {
    this.histogram?.disable();
    this.histogram = undefined;
  }

  /** The 99th percentile delay (ms) of the current window, or of the last full one if higher. */
  delayMs(): number {
    const histogram = this.histogram;
    if (!histogram) return 0;
    const current = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    if (Date.now() - this.windowStartedAt >= this.windowMs) {
      this.lastWindowP99Ms = current;
      histogram.reset();
      this.windowStartedAt = Date.now();
      return current;
    }
    return Math.max(current, this.lastWindowP99Ms);
  }
}
