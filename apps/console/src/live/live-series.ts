import { total, type Sample } from './exposition';

/**
 * What the live view plots, from the saga end counters (`oms_saga_*_total`: each saga ends once,
 * and an order reaches a final status through its saga) and the outbox gauges.
 */
export const FINAL_STATUS_COUNTERS = [
  { id: 'completed', label: 'Completed (confirmed, or canceled / refunded as asked)', metric: 'oms_saga_completed_total' },
  { id: 'canceled', label: 'Ended CANCELED', metric: 'oms_saga_canceled_total' },
  { id: 'refunded', label: 'Ended REFUNDED', metric: 'oms_saga_refunded_total' },
  { id: 'failed', label: 'Failed (compensated)', metric: 'oms_saga_failed_total' },
  { id: 'compensation-failed', label: 'COMPENSATION_FAILED (needs an operator)', metric: 'oms_saga_compensation_failed_total' },
] as const;

export type CounterId = (typeof FINAL_STATUS_COUNTERS)[number]['id'];

/** One scrape: when, each counter's value and the outbox gauges. */
export interface Snapshot {
  readonly at: number;
  readonly counters: Readonly<Record<CounterId, number>>;
  readonly outboxPending: number;
  readonly outboxOldestAgeSeconds: number;
  readonly ordersPlaced: number;
}

export function snapshotOf(samples: readonly Sample[], at: number): Snapshot {
  const counters = Object.fromEntries(FINAL_STATUS_COUNTERS.map((counter) => [counter.id, total(samples, counter.metric)])) as Record<CounterId, number>;
  return {
    at,
    counters,
    outboxPending: total(samples, 'oms_outbox_pending_records'),
    outboxOldestAgeSeconds: total(samples, 'oms_outbox_oldest_pending_age_seconds'),
    ordersPlaced: total(samples, 'oms_http_requests_total', { method: 'POST', route: '/v1/orders', status: '201' }),
  };
}

/** Per-minute increase between two values of a counter; a restart (the value fell) counts from 0. */
export function perMinute(before: number, after: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return 0;
  const increase = after >= before ? after - before : after;
  return (increase * 60_000) / elapsedMs;
}

/** Rates over the snapshots of the last `windowMs` (the oldest one in the window against the newest). */
export function ratesOf(history: readonly Snapshot[], windowMs: number): { counters: Record<CounterId, number>; ordersPlaced: number } | null {
  const newest = history.at(-1);
  if (!newest) return null;
  const oldest = history.find((snapshot) => newest.at - snapshot.at <= windowMs);
  if (!oldest || oldest === newest) return null;
  const elapsed = newest.at - oldest.at;
  const counters = Object.fromEntries(
    FINAL_STATUS_COUNTERS.map((counter) => [counter.id, perMinute(oldest.counters[counter.id], newest.counters[counter.id], elapsed)]),
  ) as Record<CounterId, number>;
  return { counters, ordersPlaced: perMinute(oldest.ordersPlaced, newest.ordersPlaced, elapsed) };
}

/** Keeps the snapshots young enough for the window (and the newest). */
export function trim(history: readonly Snapshot[], keepMs: number): Snapshot[] {
  const newest = history.at(-1);
  return newest ? history.filter((snapshot) => newest.at - snapshot.at <= keepMs) : [];
}
