import { OrderProjection, type ListOrdersQuery, type OrderPage, type OrderView } from '@oms/domain';
import { decodeOrderCursor, encodeOrderCursor } from '../order-cursor';
import { copy, type MemoryDatabase } from './memory-database';
import { applyProjection } from './memory-writes';

export class MemoryOrderProjection extends OrderProjection {
  constructor(private readonly db: MemoryDatabase) {
    super();
  }

  async get(orderId: string): Promise<OrderView | null> {
    const view = this.db.orders.get(orderId);
    return view ? copy(view) : null;
  }

  async list(query: ListOrdersQuery): Promise<OrderPage> {
    const after = query.cursor === undefined ? null : decodeOrderCursor(query.cursor, query);
    const statuses = new Set(query.statuses);
    const afterMs = after ? Date.parse(after.createdAt) : 0;
    const matching = [...this.db.orders.values()]
      .filter((view) => view.customerId === query.customerId)
      .filter((view) => statuses.size === 0 || statuses.has(view.status))
      .filter((view) => after === null || compareNewestFirst(view, afterMs, after.orderId) > 0)
      .sort((a, b) => compareNewestFirst(a, Date.parse(b.createdAt), b.orderId));
    const page = matching.slice(0, Math.max(0, query.limit));
    const last = page[page.length - 1];
    const nextCursor =
      matching.length > page.length && last ? encodeOrderCursor({ createdAt: last.createdAt, orderId: last.orderId }, query) : undefined;
    return nextCursor === undefined ? { orders: copy(page) } : { orders: copy(page), nextCursor };
  }

  async upsert(view: OrderView): Promise<void> {
    applyProjection(this.db, view);
  }
}

/** Negative when `view` sorts before the key (createdAt desc, orderId desc), positive after. */
function compareNewestFirst(view: OrderView, createdAtMs: number, orderId: string): number {
  const byTime = createdAtMs - Date.parse(view.createdAt);
  if (byTime !== 0) return byTime;
  return view.orderId < orderId ? 1 : view.orderId > orderId ? -1 : 0;
}
