import { OrderProjection, type ListOrdersQuery, type OrderLine, type OrderPage, type OrderStatus, type OrderView } from '@oms/domain';
import { decodeOrderCursor, encodeOrderCursor } from '../order-cursor';
import { SqlParams, toDate, toNumber, type PostgresDatabase } from './postgres-database';
import { projectionUpsert } from './unit-of-work.postgres';

interface OrderRow {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  currency: string;
  total_minor: string | number;
  items: OrderLine[];
  version: number;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'order_id, customer_id, status, currency, total_minor, items, version, created_at, updated_at';

export class PostgresOrderProjection extends OrderProjection {
  constructor(private readonly db: PostgresDatabase) {
    super();
  }

  async get(orderId: string): Promise<OrderView | null> {
    const { rows } = await this.db.query<OrderRow>(`SELECT ${COLUMNS} FROM orders_view WHERE order_id = $1`, [orderId]);
    return rows[0] ? toOrderView(rows[0]) : null;
  }

  /** Keyset pagination on (created_at DESC, order_id DESC): one index range scan per page, however deep. */
  async list(query: ListOrdersQuery): Promise<OrderPage> {
    const after = query.cursor === undefined ? null : decodeOrderCursor(query.cursor, query);
    const limit = Math.max(0, query.limit);
    if (limit === 0) return { orders: [] };
    const p = new SqlParams();
    const where = [`customer_id = ${p.add(query.customerId)}`];
    if (query.statuses.length > 0) where.push(`status = ANY(${p.add([...query.statuses])}::text[])`);
    if (after) where.push(`(created_at, order_id) < (${p.add(after.createdAt)}::timestamptz, ${p.add(after.orderId)})`);
    const { rows } = await this.db.query<OrderRow>(
      `SELECT ${COLUMNS} FROM orders_view WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, order_id DESC LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    const orders = rows.slice(0, limit).map(toOrderView);
    const last = orders[orders.length - 1];
    return rows.length > limit && last
      ? { orders, nextCursor: encodeOrderCursor({ createdAt: last.createdAt, orderId: last.orderId }, query) }
      : { orders };
  }

  async upsert(view: OrderView): Promise<void> {
    const p = new SqlParams();
    await this.db.query(projectionUpsert(p, [view]), p.values);
  }
}

export function toOrderView(row: OrderRow): OrderView {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status,
    currency: row.currency,
    totalMinor: toNumber(row.total_minor),
    items: row.items,
    version: row.version,
    createdAt: toDate(row.created_at).toISOString(),
    updatedAt: toDate(row.updated_at).toISOString(),
  };
}
