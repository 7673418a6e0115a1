import { ConcurrencyError } from '@oms/domain';
import { anEvent, events, newId, rejectionOf, useSubject, type StorageContractFactory } from './storage-contract.fixtures';

/** EventStore: optimistic appends, stream reads in version order, global reads in position order. */
export function describeEventStoreContract(name: string, factory: StorageContractFactory): void {
  describe(`EventStore contract: ${name}`, () => {
    const subject = useSubject(factory);
    const store = () => subject().drivers.eventStore;

    it('reads an unknown stream as empty', async () => {
      await expect(store().readStream(`order-${newId()}`)).resolves.toEqual([]);
    });

    it('appends to a new stream at expected version 0 and reads the events back in version order', async () => {
      const streamId = `order-${newId()}`;
      const batch = events(3);
      const result = await store().append({ streamId, expectedVersion: 0, events: batch });
      expect(result.nextVersion).toBe(3);

      const read = await store().readStream(streamId);
      expect(read.map((event) => event.version)).toEqual([1, 2, 3]);
      expect(read.map((event) => event.eventId)).toEqual(batch.map((event) => event.eventId));
      read.forEach((event, i) => {
        expect(event).toEqual({ ...batch[i], streamId, version: i + 1, position: expect.any(Number) });
      });
      expect(read[2].position).toBe(result.lastPosition);
      expect(read[0].position).toBeLessThan(read[1].position);
      expect(read[1].position).toBeLessThan(read[2].position);
    });

    it('continues a stream from its current version', async () => {
      const streamId = `order-${newId()}`;
      await store().append({ streamId, expectedVersion: 0, events: events(2) });
      const second = await store().append({ streamId, expectedVersion: 2, events: events(2) });
      expect(second.nextVersion).toBe(4);
      const read = await store().readStream(streamId);
      expect(read.map((event) => event.version)).toEqual([1, 2, 3, 4]);
      expect(read[3].position).toBe(second.lastPosition);
    });

    it('keeps the event payload and metadata intact', async () => {
      const streamId = `order-${newId()}`;
      const event = anEvent({
        type: 'OrderRefunded',
        schemaVersion: 2,
        data: { amountMinor: Number.MAX_SAFE_INTEGER, reason: 'unicode ✓ "quotes" \\ back', list: [{ a: 1 }, { b: [true, false] }] },
        metadata: { occurredAt: '2026-05-06T07:08:09.010Z', correlationId: 'c-1', causationId: 'c-2', traceparent: '00-abc-def-01' },
      });
      await store().append({ streamId, expectedVersion: 0, events: [event] });
      const [read] = await store().readStream(streamId);
      expect(read.type).toBe('OrderRefunded');
      expect(read.schemaVersion).toBe(2);
      expect(read.data).toEqual(event.data);
      expect(read.metadata).toEqual(event.metadata);
    });

    it('rejects a stale expected version with ConcurrencyError naming stream, expected and actual versions, writing nothing', async () => {
      const streamId = `order-${newId()}`;
      await store().append({ streamId, expectedVersion: 0, events: events(2) });
      const stale = events(1);
      const error = await rejectionOf(store().append({ streamId, expectedVersion: 1, events: stale }));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId, expectedVersion: 1, actualVersion: 2 });
      const read = await store().readStream(streamId);
      expect(read).toHaveLength(2);
      expect(read.map((event) => event.eventId)).not.toContain(stale[0].eventId);
    });

    it('rejects expected version 0 on an existing stream and a version ahead of a new stream', async () => {
      const streamId = `order-${newId()}`;
      await store().append({ streamId, expectedVersion: 0, events: events(1) });
      await expect(store().append({ streamId, expectedVersion: 0, events: events(1) })).rejects.toMatchObject({
        streamId,
        expectedVersion: 0,
        actualVersion: 1,
      });
      const fresh = `order-${newId()}`;
      const error = await rejectionOf(store().append({ streamId: fresh, expectedVersion: 3, events: events(1) }));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId: fresh, expectedVersion: 3, actualVersion: 0 });
      await expect(store().readStream(fresh)).resolves.toEqual([]);
    });

    it('lets exactly one of two concurrent appends at the same version win', async () => {
      const streamId = `order-${newId()}`;
      await store().append({ streamId, expectedVersion: 0, events: events(1) });
      const a = events(2);
      const b = events(2);
      const results = await Promise.allSettled([
        store().append({ streamId, expectedVersion: 1, events: a }),
        store().append({ streamId, expectedVersion: 1, events: b }),
      ]);
      const fulfilled = results.filter((result) => result.status === 'fulfilled');
      const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect(fulfilled).toHaveLength(1);
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toBeInstanceOf(ConcurrencyError);
      const winner = results[0].status === 'fulfilled' ? a : b;
      const read = await store().readStream(streamId);
      expect(read.map((event) => event.version)).toEqual([1, 2, 3]);
      expect(read.slice(1).map((event) => event.eventId)).toEqual(winner.map((event) => event.eventId));
    });

    it('rejects an event id that is already stored, in any stream, and writes nothing of that append', async () => {
      const first = `order-${newId()}`;
      const [event] = events(1);
      await store().append({ streamId: first, expectedVersion: 0, events: [event] });
      const other = `order-${newId()}`;
      const error = await rejectionOf(store().append({ streamId: other, expectedVersion: 0, events: [anEvent(), { ...event }] }));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ConcurrencyError);
      await expect(store().readStream(other)).resolves.toEqual([]);
      await expect(store().readStream(first)).resolves.toHaveLength(1);
    });

    it('rejects a batch that repeats an event id', async () => {
      const streamId = `order-${newId()}`;
      const event = anEvent();
      await expect(store().append({ streamId, expectedVersion: 0, events: [event, { ...event }] })).rejects.toThrow();
      await expect(store().readStream(streamId)).resolves.toEqual([]);
    });

    it('assigns global positions that strictly increase across streams in append order', async () => {
      const a = `order-${newId()}`;
      const b = `order-${newId()}`;
      const first = await store().append({ streamId: a, expectedVersion: 0, events: events(2) });
      const second = await store().append({ streamId: b, expectedVersion: 0, events: events(2) });
      const third = await store().append({ streamId: a, expectedVersion: 2, events: events(1) });
      const readB = await store().readStream(b);
      expect(readB[0].position).toBeGreaterThan(first.lastPosition);
      expect(second.lastPosition).toBeGreaterThan(first.lastPosition);
      expect(third.lastPosition).toBeGreaterThan(second.lastPosition);
      const readA = await store().readStream(a);
      expect(readA.map((event) => event.position)).toEqual([...readA.map((event) => event.position)].sort((x, y) => x - y));
    });

    it('reads all events after a position, in position order, at most limit', async () => {
      const a = `order-${newId()}`;
      const b = `order-${newId()}`;
      await store().append({ streamId: a, expectedVersion: 0, events: events(2) });
      await store().append({ streamId: b, expectedVersion: 0, events: events(1) });
      await store().append({ streamId: a, expectedVersion: 2, events: events(1) });
      const mine = [...(await store().readStream(a)), ...(await store().readStream(b))].sort((x, y) => x.position - y.position);
      const before = mine[0].position - 1;

      const all = await store().readAll(before, 4);
      expect(all).toHaveLength(4);
      expect(all).toEqual(mine);
      expect(all.map((event) => event.streamId)).toEqual([a, a, b, a]);

      const limited = await store().readAll(before, 2);
      expect(limited).toEqual(mine.slice(0, 2));

      const rest = await store().readAll(limited[1].position, 10);
      expect(rest.slice(0, 2)).toEqual(mine.slice(2));
      for (const event of rest) expect(event.position).toBeGreaterThan(limited[1].position);

      const after = await store().readAll(mine[3].position, 100);
      expect(after.map((event) => event.eventId)).not.toEqual(expect.arrayContaining([mine[3].eventId]));
      const positions = after.map((event) => event.position);
      expect(positions).toEqual([...positions].sort((x, y) => x - y));
    });

    it('checks the version of an empty append and leaves the stream as it is', async () => {
      const streamId = `order-${newId()}`;
      await store().append({ streamId, expectedVersion: 0, events: events(2) });
      await expect(store().append({ streamId, expectedVersion: 2, events: [] })).resolves.toMatchObject({ nextVersion: 2 });
      await expect(store().append({ streamId, expectedVersion: 1, events: [] })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(store().readStream(streamId)).resolves.toHaveLength(2);
    });

    it('appends concurrently to different streams without conflicts or shared positions', async () => {
      const streams = Array.from({ length: 10 }, () => `order-${newId()}`);
      const results = await Promise.all(streams.map((streamId) => store().append({ streamId, expectedVersion: 0, events: events(3) })));
      expect(results.map((result) => result.nextVersion)).toEqual(streams.map(() => 3));
      const read = (await Promise.all(streams.map((streamId) => store().readStream(streamId)))).flat();
      expect(new Set(read.map((event) => event.position)).size).toBe(30);
    });

    it('returns nothing from readAll with limit 0', async () => {
      const streamId = `order-${newId()}`;
      const { lastPosition } = await store().append({ streamId, expectedVersion: 0, events: events(1) });
      await expect(store().readAll(lastPosition - 1, 0)).resolves.toEqual([]);
    });
  });
}
