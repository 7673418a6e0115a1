import { orderViewOf, rehydrateOrder, type OrderView, type StoredEvent } from '@oms/domain';
import { toStoredEvent } from './event-store.postgres';
import { SqlParams, type PostgresDatabase } from './postgres-database';
import { projectionUpsert } from './unit-of-work.postgres';

export interface RebuildOptions {
  /** Order streams recomputed per statement; default 500. */
  readonly batchSize?: number;
  /** Called after each batch (progress output). */
  readonly onBatch?: (progress: { readonly orders: number }) => void;
}

export interface RebuildResult {
  readonly orders: number;
  /** orders_view rows without any event behind them (left by a corruption), deleted. */
  readonly removed: number;
}

/**
 * Recomputes orders_view from the event store: each `order-*` stream is folded with the same
 * decider and view mapping the write path uses, a batch of streams at a time, each batch one
 * multi-row upsert. Safe while the API runs: a row is replaced unless it already reflects a
 * newer committed version; a row claiming a version the stream never reached is replaced too.
 */
export async function rebuildOrdersView(db: PostgresDatabase, options: RebuildOptions = {}): Promise<RebuildResult> {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 500));
  let after = '';
  let orders = 0;
  for (;;) {
    // Walks the (stream_id, version) index: one row per stream via its first event.
    const { rows: streams } = await db.query<{ stream_id: string }>(
      `SELECT stream_id FROM events WHERE stream_id > $1 AND stream_id LIKE 'order-%' AND version = 1
       ORDER BY stream_id LIMIT $2`,
      [after, batchSize],
    );
    if (streams.length === 0) break;
    const ids = streams.map((row) => row.stream_id);
    const { rows } = await db.query<Parameters<typeof toStoredEvent>[0]>(
      `SELECT position, event_id, stream_id, version, type, schema_version, data, metadata
       FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, version`,
      [ids],
    );
    const views = viewsOf(rows.map(toStoredEvent));
    if (views.length > 0) {
      const p = new SqlParams();
      await db.query(
        projectionUpsert(
          p,
          views,
          '',
          `WHERE orders_view.version <= EXCLUDED.version
              OR orders_view.version > (SELECT max(version) FROM events WHERE stream_id = 'order-' || EXCLUDED.order_id)`,
        ),
        p.values,
      );
    }
    orders += views.length;
    options.onBatch?.({ orders });
    after = ids[ids.length - 1];
  }
  const { rowCount: removed } = await db.query(
    `DELETE FROM orders_view v WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.stream_id = 'order-' || v.order_id)`,
  );
  return { orders, removed };
}

function viewsOf(events: readonly StoredEvent[]): OrderView[] {
  const byStream = new Map<string, StoredEvent[]>();
  for (const event of events) {
    const stream = byStream.get(event.streamId) ?? [];
    stream.push(event);
    byStream.set(event.streamId, stream);
  }
  const views: OrderView[] = [];
  for (const stream of byStream.values()) {
    const state = rehydrateOrder(stream);
    if (!state.exists) continue;
    views.push(orderViewOf(state, stream[0].metadata.occurredAt, stream[stream.length - 1].metadata.occurredAt));
  }
  return views;
}
