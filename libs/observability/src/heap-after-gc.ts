import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

/**
 * V8 heap used right after the last full (mark-compact) collection, in bytes: the live data a
 * leak raises. Heap used sampled at any other moment also counts garbage not yet collected,
 * which swings by tens of MiB between full collections and hides or fakes a trend. One
 * observer per process, started on first use; undefined until the first full collection.
 */
let liveBytes: number | undefined;
let observer: PerformanceObserver | undefined;

const isFullCollection = (entry: PerformanceEntry): boolean =>
  (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR;

export function heapUsedAfterLastFullGc(): number | undefined {
  if (!observer) {
    observer = new PerformanceObserver((list) => {
      if (list.getEntries().some(isFullCollection)) liveBytes = getHeapStatistics().used_heap_size;
    });
    observer.observe({ entryTypes: ['gc'] });
  }
  return liveBytes;
}
