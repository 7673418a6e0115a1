import { toStatusName, type OrderJson, type TimelineEventJson } from '@oms/contracts';
import type { OrderLine, OrderStatus, StoredEvent } from '@oms/domain';

/** What both the folded state and the projection row know about an order. */
export interface OrderSnapshot {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly totalMinor: number;
  readonly items: readonly OrderLine[];
  readonly version: number;
}

/** `oms.v1.Order` in proto3 JSON form (int64 as decimal strings). */
export function toOrderJson(order: OrderSnapshot): OrderJson {
  return {
    id: order.orderId,
    customerId: order.customerId,
    status: toStatusName(order.status),
    amount: { currency: order.currency, amountMinor: String(order.totalMinor) },
    items: order.items.map((item) => ({
      sku: item.sku,
      qty: item.qty,
      price: { currency: order.currency, amountMinor: String(item.unitPriceMinor) },
    })),
    version: String(order.version),
    currency: order.currency,
  };
}

/** The order's stream as `oms.v1.TimelineEvent`s, oldest first. */
export function toTimeline(events: readonly StoredEvent[]): TimelineEventJson[] {
  return events.map((event) => {
    const reason = (event.data as { reason?: unknown } | null)?.reason;
    const millis = Date.parse(event.metadata.occurredAt);
    return {
      type: event.type,
      reason: typeof reason === 'string' ? reason : '',
      unixTime: String(Number.isNaN(millis) ? 0 : Math.floor(millis / 1000)),
    };
  });
}
