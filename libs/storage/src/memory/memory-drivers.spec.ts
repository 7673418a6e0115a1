import { anOrderView, anOutboxMessage, describeStorageContracts } from '../testing';
import { createMemoryDrivers } from './memory-drivers';

describeStorageContracts('memory', async () => {
  const drivers = createMemoryDrivers();
  return { drivers, cleanup: () => drivers.close() };
});

describeStorageContracts('memory, 3 outbox partitions', async () => {
  const drivers = createMemoryDrivers({ partitions: 3 });
  return { drivers, cleanup: () => drivers.close(), outboxPartitions: 3 };
});

describe('createMemoryDrivers', () => {
  it('gives each driver set its own database', async () => {
    const a = createMemoryDrivers();
    const b = createMemoryDrivers();
    const view = anOrderView();
    await a.projection.upsert(view);
    await expect(a.projection.get(view.orderId)).resolves.toEqual(view);
    await expect(b.projection.get(view.orderId)).resolves.toBeNull();
  });

  it('hands out copies, so callers cannot change stored state by mutating objects', async () => {
    const drivers = createMemoryDrivers();
    const view = anOrderView();
    const written = structuredClone(view);
    await drivers.projection.upsert(written);
    (written.items as unknown as { qty: number }[])[0].qty = 999;
    const read = await drivers.projection.get(view.orderId);
    (read?.items as unknown as { qty: number }[])[0].qty = 555;
    await expect(drivers.projection.get(view.orderId)).resolves.toEqual(view);
  });

  it('refuses a partition count that is not a positive integer', () => {
    expect(() => createMemoryDrivers({ partitions: 0 })).toThrow(RangeError);
    expect(() => createMemoryDrivers({ partitions: 1.5 })).toThrow(RangeError);
  });

  it('answers ping until closed', async () => {
    const drivers = createMemoryDrivers();
    await expect(drivers.ping()).resolves.toBeUndefined();
    await drivers.close();
    await expect(drivers.ping()).rejects.toThrow(/closed/);
  });

  it('stamps sent rows with the configured clock, which pruning compares against', async () => {
    const sentAt = new Date('2026-01-01T00:00:00.000Z');
    const drivers = createMemoryDrivers({ clock: { now: () => sentAt } });
    await drivers.unitOfWork.commit({ outbox: [anOutboxMessage()] }, new Date());
    const [row] = await drivers.outbox.fetchPending([...Array(16).keys()], 10);
    await drivers.outbox.markSent([row.id]);
    await expect(drivers.outbox.pruneSent(sentAt, 10)).resolves.toBe(0);
    await expect(drivers.outbox.pruneSent(new Date(sentAt.getTime() + 1), 10)).resolves.toBe(1);
  });
});
