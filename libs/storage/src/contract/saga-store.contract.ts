import { ConcurrencyError, type SagaRecord, type SagaStatus } from '@oms/domain';
import { aSaga, events, newId, rejectionOf, SEE_ALL, useSubject, type StorageContractFactory } from './storage-contract.fixtures';

/**
 * SagaStore: reads, leases of due sagas (claimDue) and status counts. Sagas are written only
 * through UnitOfWork's `saga` part: version 0 inserts, otherwise the stored version must match,
 * and the stored version becomes version + 1.
 */
export function describeSagaStoreContract(name: string, factory: StorageContractFactory): void {
  describe(`SagaStore contract: ${name}`, () => {
    const subject = useSubject(factory);
    const sagas = () => subject().drivers.sagas;
    const save = (saga: SagaRecord, now = saga.updatedAt) => subject().drivers.unitOfWork.commit({ saga }, now);
    /** Saves a new saga and returns it as stored (version 1). */
    const insert = async (overrides: Partial<SagaRecord> = {}): Promise<SagaRecord> => {
      const saga = aSaga(overrides);
      await save(saga);
      return { ...saga, version: 1 };
    };
    const HOUR = 3_600_000;
    // Claim times go backwards from a random day before 2026, one day per test: sagas other tests left
    // running (default timers in 2026, leases after their own claim time) are then never due here.
    let lastNow = Date.UTC(2000, 0, 1) + Math.floor(Math.random() * 9000) * 24 * HOUR;
    const aNow = () => new Date((lastNow -= 24 * HOUR));

    it('returns null for an unknown saga and no sagas for an unknown order', async () => {
      await expect(sagas().get(newId())).resolves.toBeNull();
      await expect(sagas().listByOrder(newId())).resolves.toEqual([]);
    });

    it('reads a saga, or when there is none the stream asked for, in version order and alone', async () => {
      const { eventStore } = subject().drivers;
      const streamId = `order-${newId()}`;
      await expect(sagas().getOrReadStream(newId(), streamId)).resolves.toEqual({ saga: null, stream: [] });

      await eventStore.append({ streamId, expectedVersion: 0, events: events(1) });
      await eventStore.append({ streamId: `order-${newId()}`, expectedVersion: 0, events: events(2) });
      await eventStore.append({ streamId, expectedVersion: 1, events: events(2) });
      const stream = await eventStore.readStream(streamId);
      expect(stream.map((event) => event.version)).toEqual([1, 2, 3]);
      await expect(sagas().getOrReadStream(newId(), streamId)).resolves.toEqual({ saga: null, stream });

      // A saga at a version of its own (not one of the events'): its row comes back alone.
      const inserted = await insert();
      const moved: SagaRecord = { ...inserted, state: { step: 'pay' }, updatedAt: new Date(inserted.updatedAt.getTime() + 1000) };
      await save(moved);
      await expect(sagas().getOrReadStream(inserted.sagaId, streamId)).resolves.toEqual({ saga: { ...moved, version: 2 } });
    });

    it('stores a new saga at version 1 with its state intact', async () => {
      const saga = aSaga({
        kind: 'refund',
        state: { step: 'refund', amountMinor: Number.MAX_SAFE_INTEGER, nested: { list: ['a', 1, null, true] } },
      });
      await expect(save(saga)).resolves.toEqual({});
      await expect(sagas().get(saga.sagaId)).resolves.toEqual({ ...saga, version: 1 });
    });

    it('updates at the stored version and bumps it; a stale version or a second insert conflicts', async () => {
      const stored = await insert();
      const advanced: SagaRecord = { ...stored, state: { step: 'pay' }, updatedAt: new Date(stored.updatedAt.getTime() + 1000) };
      await save(advanced);
      await expect(sagas().get(stored.sagaId)).resolves.toEqual({ ...advanced, version: 2 });

      const stale = await rejectionOf(save({ ...stored, state: { step: 'stale' } }));
      expect(stale).toBeInstanceOf(ConcurrencyError);
      const duplicate = await rejectionOf(save({ ...stored, version: 0, state: { step: 'duplicate' } }));
      expect(duplicate).toBeInstanceOf(ConcurrencyError);
      const ahead = await rejectionOf(save({ ...stored, version: 7 }));
      expect(ahead).toBeInstanceOf(ConcurrencyError);
      await expect(sagas().get(stored.sagaId)).resolves.toEqual({ ...advanced, version: 2 });
    });

    it('keeps the traceparent given at insert through later saves and claims', async () => {
      const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
      const now = aNow();
      const stored = await insert({ traceparent, nextAttemptAt: new Date(now.getTime() - 1000) });
      await expect(sagas().get(stored.sagaId)).resolves.toEqual(stored);
      const { traceparent: _kept, ...withoutTrace } = stored;
      await save({ ...withoutTrace, state: { step: 'later' } });
      await expect(sagas().get(stored.sagaId)).resolves.toMatchObject({ traceparent, version: 2 });
      const claimed = await sagas().claimDue(now, SEE_ALL, 1000);
      expect(claimed.find((saga) => saga.sagaId === stored.sagaId)).toMatchObject({ traceparent });
      const untraced = await insert();
      expect(await sagas().get(untraced.sagaId)).not.toHaveProperty('traceparent');
    });

    it('lets exactly one of two concurrent saves at the same version win', async () => {
      const stored = await insert();
      const results = await Promise.allSettled([
        save({ ...stored, state: { step: 'a' } }),
        save({ ...stored, state: { step: 'b' } }),
      ]);
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0].reason).toBeInstanceOf(ConcurrencyError);
      const winner = results[0].status === 'fulfilled' ? 'a' : 'b';
      await expect(sagas().get(stored.sagaId)).resolves.toMatchObject({ version: 2, state: { step: winner } });
    });

    it('stores every status and null timers', async () => {
      const ended = await insert({ status: 'COMPENSATION_FAILED', nextAttemptAt: null, deadlineAt: null });
      await expect(sagas().get(ended.sagaId)).resolves.toEqual(ended);
    });

    it('lists the sagas of one order by creation time', async () => {
      const orderId = newId();
      const t = (ms: number) => new Date(Date.UTC(2026, 2, 1) + ms);
      const second = await insert({ orderId, kind: 'cancellation', createdAt: t(2000), updatedAt: t(2000) });
      const first = await insert({ orderId, kind: 'fulfilment', createdAt: t(1000), updatedAt: t(1000) });
      await insert({ createdAt: t(1500), updatedAt: t(1500) });
      await expect(sagas().listByOrder(orderId)).resolves.toEqual([first, second]);
    });

    it('claims running sagas that are due, leasing them until now + leaseMs without changing their version', async () => {
      const now = aNow();
      const leaseMs = 30_000;
      const due = await insert({ nextAttemptAt: new Date(now.getTime() - 5_000) });
      const dueExactly = await insert({ nextAttemptAt: now });
      const notYet = await insert({ nextAttemptAt: new Date(now.getTime() + 1) });
      const completed = await insert({ status: 'COMPLETED', nextAttemptAt: new Date(now.getTime() - 5_000) });
      const compensated = await insert({ status: 'COMPENSATED', nextAttemptAt: new Date(now.getTime() - 5_000) });
      const noTimer = await insert({ nextAttemptAt: null });
      const mine = new Set([due, dueExactly, notYet, completed, compensated, noTimer].map((saga) => saga.sagaId));

      const claimed = (await sagas().claimDue(now, SEE_ALL, leaseMs)).filter((saga) => mine.has(saga.sagaId));
      const leasedUntil = new Date(now.getTime() + leaseMs);
      expect(claimed.map((saga) => saga.sagaId).sort()).toEqual([due.sagaId, dueExactly.sagaId].sort());
      for (const saga of claimed) {
        const original = saga.sagaId === due.sagaId ? due : dueExactly;
        expect(saga).toEqual({ ...original, nextAttemptAt: leasedUntil });
        await expect(sagas().get(saga.sagaId)).resolves.toEqual(saga);
      }
      await expect(sagas().get(notYet.sagaId)).resolves.toEqual(notYet);
      await expect(sagas().get(completed.sagaId)).resolves.toEqual(completed);

      // Leased: not due again until the lease runs out.
      const during = await sagas().claimDue(new Date(leasedUntil.getTime() - 1), SEE_ALL, leaseMs);
      // (notYet has become due by then and is claimed, with a lease from that later time.)
      expect(during.filter((saga) => mine.has(saga.sagaId)).map((saga) => saga.sagaId)).toEqual([notYet.sagaId]);
      const afterLease = await sagas().claimDue(leasedUntil, SEE_ALL, leaseMs);
      expect(afterLease.filter((saga) => mine.has(saga.sagaId)).map((saga) => saga.sagaId).sort()).toEqual(
        [due.sagaId, dueExactly.sagaId].sort(),
      );

      // The claimer saves against the version it was given.
      const [first] = claimed;
      await expect(save({ ...first, state: { step: 'next' }, nextAttemptAt: null, status: 'COMPLETED' })).resolves.toEqual({});
      await expect(sagas().get(first.sagaId)).resolves.toMatchObject({ version: 2, status: 'COMPLETED', nextAttemptAt: null });
    });

    it('claims at most limit sagas per call', async () => {
      const now = aNow();
      const created = [];
      for (let i = 0; i < 3; i++) created.push(await insert({ nextAttemptAt: new Date(now.getTime() - 1_000 + i) }));
      const mine = new Set(created.map((saga) => saga.sagaId));
      const firstCall = await sagas().claimDue(now, 2, 60_000);
      expect(firstCall).toHaveLength(2);
      const rest = await sagas().claimDue(now, SEE_ALL, 60_000);
      const seen = [...firstCall, ...rest].map((saga) => saga.sagaId).filter((id) => mine.has(id));
      // Each of the three exactly once: the first call's two were leased, the rest came next.
      expect(seen.sort()).toEqual([...mine].sort());
    });

    it('never hands the same saga to two concurrent claimers', async () => {
      const now = aNow();
      const created = [];
      for (let i = 0; i < 20; i++) created.push(await insert({ nextAttemptAt: new Date(now.getTime() - 10_000 + i) }));
      const mine = new Set(created.map((saga) => saga.sagaId));
      const [a, b] = await Promise.all([sagas().claimDue(now, SEE_ALL, 60_000), sagas().claimDue(now, SEE_ALL, 60_000)]);
      const idsA = a.map((saga) => saga.sagaId);
      const idsB = b.map((saga) => saga.sagaId);
      expect(idsA.filter((id) => idsB.includes(id))).toEqual([]);
      expect([...idsA, ...idsB].filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
    });

    it('splits due sagas between several concurrent claimers with small limits, each saga once', async () => {
      const now = aNow();
      const created = [];
      for (let i = 0; i < 12; i++) created.push(await insert({ nextAttemptAt: new Date(now.getTime() - 10_000 + i) }));
      const mine = new Set(created.map((saga) => saga.sagaId));
      const batches = await Promise.all(Array.from({ length: 4 }, () => sagas().claimDue(now, 3, 60_000)));
      for (const batch of batches) expect(batch.length).toBeLessThanOrEqual(3);
      const ids = batches.flat().map((saga) => saga.sagaId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.filter((id) => mine.has(id)).sort()).toEqual([...mine].sort());
    });

    it('lists sagas by status and age, oldest update first, paging after the last one seen', async () => {
      // A window of update times of this test only (before every other test's sagas), so the listing sees only these.
      const start = Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 9000) * 24 * HOUR;
      const at = (minutes: number) => new Date(start + minutes * 60_000);
      const failed = [await insert({ status: 'COMPENSATION_FAILED', updatedAt: at(3) }), await insert({ status: 'COMPENSATION_FAILED', updatedAt: at(1) })];
      const sameTime = await insert({ status: 'COMPENSATION_FAILED', updatedAt: at(1) });
      await insert({ status: 'RUNNING', updatedAt: at(2) });
      await insert({ status: 'COMPENSATION_FAILED', updatedAt: at(10) });
      const window = { updatedBefore: at(5), after: { updatedAt: at(0), sagaId: '' } };

      const expected = [failed[1], sameTime].sort((a, b) => (a.sagaId < b.sagaId ? -1 : 1)).concat(failed[0]);
      const all = await sagas().list({ status: 'COMPENSATION_FAILED', ...window, limit: SEE_ALL });
      expect(all).toEqual(expected);
      const first = await sagas().list({ status: 'COMPENSATION_FAILED', ...window, limit: 2 });
      expect(first).toEqual(expected.slice(0, 2));
      const last = first[first.length - 1];
      const second = await sagas().list({ status: 'COMPENSATION_FAILED', ...window, after: { updatedAt: last.updatedAt, sagaId: last.sagaId }, limit: 2 });
      expect(second).toEqual(expected.slice(2));
      const anyStatus = await sagas().list({ ...window, limit: SEE_ALL });
      expect(anyStatus.map((saga) => saga.status)).toEqual(['COMPENSATION_FAILED', 'COMPENSATION_FAILED', 'RUNNING', 'COMPENSATION_FAILED']);
      await expect(sagas().list({ ...window, limit: 0 })).resolves.toEqual([]);
    });

    it('counts the RUNNING sagas, and no other status', async () => {
      const before = await sagas().countRunning();
      const statuses: SagaStatus[] = ['RUNNING', 'RUNNING', 'COMPLETED', 'COMPENSATED', 'COMPENSATION_FAILED', 'COMPENSATION_FAILED', 'RESOLVED'];
      for (const status of statuses) await insert({ status });
      const after = await sagas().countRunning();
      expect(after - before).toBe(2);

      // A saga that finishes leaves the count.
      const [running] = await sagas().listByOrder((await insert({ status: 'RUNNING' })).orderId);
      await expect(sagas().countRunning()).resolves.toBe(after + 1);
      await save({ ...running, status: 'COMPLETED', nextAttemptAt: null });
      await expect(sagas().countRunning()).resolves.toBe(after);
    });

    it('reports RUNNING sagas waiting on given steps: how many, and when the oldest began its step', async () => {
      // Step names of this test only: other tests' sagas never match.
      const release = `release-${newId()}`;
      const refund = `refund-${newId()}`;
      const at = (minute: number) => new Date(Date.UTC(2026, 3, 1, 10, minute)).toISOString();
      const waiting = (step: string, stepStartedAt: string | null, status: SagaStatus = 'RUNNING') =>
        insert({ status, state: { step, attempts: 3, stepStartedAt, lastError: 'unavailable' } });

      await expect(sagas().pendingStepStats([release, refund])).resolves.toEqual({ count: 0, oldestStepStartedAt: null });

      await waiting(release, at(30));
      await waiting(refund, at(10));
      const releaseLater = await waiting(release, at(50));
      await waiting(release, null); // waiting, but without a recorded start
      await waiting(release, at(1), 'COMPENSATION_FAILED'); // ended: not waiting any more
      await waiting(`reserve-${newId()}`, at(2)); // another step

      await expect(sagas().pendingStepStats([release, refund])).resolves.toEqual({
        count: 4,
        oldestStepStartedAt: new Date(at(10)),
      });
      await expect(sagas().pendingStepStats([release])).resolves.toEqual({ count: 3, oldestStepStartedAt: new Date(at(30)) });
      await expect(sagas().pendingStepStats([])).resolves.toEqual({ count: 0, oldestStepStartedAt: null });

      // Answered: the saga leaves the figures.
      await save({ ...releaseLater, state: { step: null, attempts: 0, stepStartedAt: null }, updatedAt: new Date(at(55)) });
      await expect(sagas().pendingStepStats([release])).resolves.toEqual({ count: 2, oldestStepStartedAt: new Date(at(30)) });
    });
  });
}
