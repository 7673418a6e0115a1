import type { StoredEvent } from '../events/stored-event';
import type { OrderView } from '../ports/order-projection.port';
import type { OrderState } from './order.state';
import { upcastEvent } from './order.upcasters';

/** The projection row of an order (`orders_view`); the times come from the first and last event. */
export function orderViewOf(state: OrderState, createdAt: string, updatedAt: string): OrderView {
  return {
    orderId: state.orderId,
    customerId: state.customerId,
    status: state.status,
    currency: state.currency,
    totalMinor: state.totalMinor,
    items: state.items,
    version: state.version,
    createdAt,
    updatedAt,
  };
}

/** One line of GetOrder's timeline (oms.v1 TimelineEvent: type, reason, unix_time). */
export interface TimelineEntry {
  /** Event type name, e.g. `OrderCanceled`. */
  readonly type: string;
  /** The event's `reason`, or '' for events without one. */
  readonly reason: string;
  /** Whole seconds since the Unix epoch of `occurredAt`. */
  readonly unixTime: number;
  readonly occurredAt: string;
}

/** The stream as a timeline, in stream order; events are upcast so old ones read like new ones. */
export function timelineOf(events: readonly StoredEvent[]): TimelineEntry[] {
  return events.map((stored) => {
    const event = upcastEvent(stored);
    const data = event.data as { reason?: unknown } | null;
    const reason = typeof data?.reason === 'string' ? data.reason : '';
    const millis = Date.parse(event.metadata.occurredAt);
    return {
      type: event.type,
      reason,
      unixTime: Number.isNaN(millis) ? 0 : Math.floor(millis / 1000),
      occurredAt: event.metadata.occurredAt,
    };
  });
}
