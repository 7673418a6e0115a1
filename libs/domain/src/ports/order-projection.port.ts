import type { OrderLine } from '../order/order.events';
import type { OrderStatus } from '../order/order.status';

/** The read model of one order (`orders_view`), updated in the transaction that changes the order. */
export interface OrderView {
  readonly orderId: string;
  readonly customerId: string;
  readonly status: OrderStatus;
  readonly currency: string;
  readonly totalMinor: number;
  readonly items: readonly OrderLine[];
  /** Stream version the view reflects. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ListOrdersQuery {
  readonly customerId: string;
  /** Empty = every status. */
  readonly statuses: readonly OrderStatus[];
  readonly limit: number;
  /** Opaque keyset cursor from a previous page. */
  readonly cursor?: string;
}

export interface OrderPage {
  readonly orders: OrderView[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
}

export abstract class OrderProjection {
  abstract get(orderId: string): Promise<OrderView | null>;
  /** Newest first (created_at desc, order id desc). Throws DomainError VALIDATION_FAILED on a malformed cursor. */
  abstract list(query: ListOrdersQuery): Promise<OrderPage>;
  abstract upsert(view: OrderView): Promise<void>;
}
