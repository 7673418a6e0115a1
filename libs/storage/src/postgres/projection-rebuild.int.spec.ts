import { SystemClock, UuidV7IdGenerator, type OrderCommand, type OrderView } from '@oms/domain';
import { EventSourcedOrderStreams } from '@oms/orders';
import type { StorageDrivers } from '../storage-drivers';
import { rebuildOrdersView } from './projection-rebuild';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../testing';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

const ids = new UuidV7IdGenerator();
let database: MigratedTestDatabase;
let drivers: StorageDrivers;

beforeAll(async () => {
  database = await createMigratedTestDatabase('rebuild');
  drivers = await database.drivers();
});

afterAll(async () => {
  await drivers?.close();
  await database?.drop();
});

async function allViews(): Promise<OrderView[]> {
  const { rows } = await database.sql.query<{ order_id: string }>('SELECT order_id FROM orders_view ORDER BY order_id');
  const views = await Promise.all(rows.map((row) => drivers.projection.get(row.order_id)));
  return views.filter((view): view is OrderView => view !== null);
}

describe('rebuilding orders_view from the event store', () => {
  it('restores dropped, corrupted and invented rows to exactly what the write path produced', async () => {
    const executor = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, new SystemClock(), ids);
    const orderIds: string[] = [];
    for (let i = 0; i < 11; i++) {
      const orderId = ids.newId();
      orderIds.push(orderId);
      const sagaId = ids.newId();
      const place: OrderCommand = {
        type: 'PlaceOrder',
        data: { orderId, customerId: `customer-${i % 3}`, currency: 'EUR', items: [{ sku: `SKU-${i}`, qty: i + 1, unitPriceMinor: 100 * (i + 1) }] },
      };
      await executor.execute(orderId, [place]);
      if (i % 2 === 0) await executor.execute(orderId, [{ type: 'RequestPayment', data: { sagaId } }]);
      if (i % 4 === 0) await executor.execute(orderId, [{ type: 'RecordStockReserved', data: { sagaId, reservationId: `r-${i}` } }]);
      if (i % 3 === 1) await executor.execute(orderId, [{ type: 'RequestCancellation', data: { sagaId, reason: 'changed mind' } }]);
    }
    const original = await allViews();
    expect(original).toHaveLength(11);
    expect(new Set(original.map((view) => view.status))).toEqual(new Set(['PENDING', 'RESERVED', 'CANCELED']));

    await database.sql.query('DELETE FROM orders_view WHERE order_id = ANY($1::text[])', [orderIds.slice(0, 4)]);
    await database.sql.query(`UPDATE orders_view SET status = 'REFUNDED', total_minor = 1 WHERE order_id = $1`, [orderIds[5]]);
    await database.sql.query('UPDATE orders_view SET version = 999 WHERE order_id = $1', [orderIds[6]]);
    await database.sql.query(
      `INSERT INTO orders_view (order_id, customer_id, status, currency, total_minor, items, version, created_at, updated_at)
       VALUES ('ghost', 'customer-0', 'PAID', 'EUR', 5, '[]', 1, now(), now())`,
    );
    expect(await allViews()).not.toEqual(original);

    const progress: number[] = [];
    const result = await rebuildOrdersView(database.sql, { batchSize: 3, onBatch: ({ orders }) => progress.push(orders) });

    expect(result).toEqual({ orders: 11, removed: 1 });
    expect(progress).toEqual([3, 6, 9, 11]);
    expect(await allViews()).toEqual(original);
  });

  it('never replaces a row that reflects a newer version than the events it read', async () => {
    const executor = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, new SystemClock(), ids);
    const orderId = ids.newId();
    await executor.execute(orderId, [
      { type: 'PlaceOrder', data: { orderId, customerId: 'c', currency: 'EUR', items: [{ sku: 'A', qty: 1, unitPriceMinor: 1 }] } },
    ]);
    // The guard compares against the stream itself: a row at the stream's version stays as it is.
    const before = await drivers.projection.get(orderId);
    await database.sql.query(`UPDATE orders_view SET version = 1, updated_at = updated_at + interval '1 second' WHERE order_id = $1`, [
      orderId,
    ]);
    const touched = await drivers.projection.get(orderId);
    await rebuildOrdersView(database.sql);
    await expect(drivers.projection.get(orderId)).resolves.toEqual(before);
    expect(touched).not.toEqual(before);
  });
});
