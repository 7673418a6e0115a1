import { commitConflictId, ConcurrencyError, isInboxConflict, type ChangeSet, type IdempotencyClaim, type SagaRecord } from '@oms/domain';
import {
  allPartitions,
  anOrderView,
  anOutboxMessage,
  aSaga,
  events,
  newId,
  rejectionOf,
  SEE_ALL,
  useSubject,
  type StorageContractFactory,
} from './storage-contract.fixtures';

/**
 * UnitOfWork: a change set (append + outbox + projection + idempotency + saga + inbox) commits
 * in ONE transaction. Any conflict (stale stream version, stale or duplicate saga, inbox
 * duplicate, idempotency claim no longer in flight) throws ConcurrencyError and writes NOTHING.
 */
export function describeUnitOfWorkContract(name: string, factory: StorageContractFactory): void {
  describe(`UnitOfWork contract: ${name}`, () => {
    const subject = useSubject(factory);
    const drivers = () => subject().drivers;
    const now = new Date('2026-03-01T10:00:00.000Z');
    const response = { status: 201, body: { order: { id: 'x', status: 'ORDER_STATUS_PENDING' } } };

    const aClaim = (): IdempotencyClaim => ({ key: newId(), scope: 'CreateOrder', requestHash: `sha256:${newId()}`, lockMs: 30_000 });

    /** A full change set for a new order, with its idempotency key already claimed. */
    const aChangeSet = async (overrides: Partial<ChangeSet> = {}) => {
      const orderId = newId();
      const streamId = `order-${orderId}`;
      const claim = aClaim();
      await drivers().idempotency.begin(claim, now);
      const change: ChangeSet = {
        append: { streamId, expectedVersion: 0, events: events(2) },
        outbox: [anOutboxMessage({ key: orderId }), anOutboxMessage({ key: orderId })],
        projection: anOrderView({ orderId, version: 2 }),
        idempotency: { key: claim.key, scope: claim.scope, response },
        saga: aSaga({ orderId }),
        inbox: { consumer: 'saga', messageId: newId() },
        ...overrides,
      };
      return { change, claim, orderId, streamId };
    };

    const outboxRowsOf = async (change: ChangeSet) => {
      const ids = new Set((change.outbox ?? []).map((message) => message.messageId));
      const rows = await drivers().outbox.fetchPending(allPartitions(subject()), SEE_ALL);
      return rows.filter((row) => ids.has(row.messageId));
    };

    /** Asserts that no part of `change` is visible. */
    const expectNothingWritten = async (change: ChangeSet, claim: IdempotencyClaim, sagaBefore: SagaRecord | null = null) => {
      if (change.append) {
        const stream = await drivers().eventStore.readStream(change.append.streamId);
        const ids = change.append.events.map((event) => event.eventId);
        expect(stream.filter((event) => ids.includes(event.eventId))).toEqual([]);
      }
      await expect(outboxRowsOf(change)).resolves.toEqual([]);
      if (change.projection) await expect(drivers().projection.get(change.projection.orderId)).resolves.toBeNull();
      // Still in flight: the completion was not stored.
      await expect(drivers().idempotency.begin(claim, new Date(now.getTime() + 1))).resolves.toEqual({ outcome: 'in_flight' });
      if (change.saga) await expect(drivers().sagas.get(change.saga.sagaId)).resolves.toEqual(sagaBefore);
      if (change.inbox) await expect(drivers().inbox.has(change.inbox.consumer, change.inbox.messageId)).resolves.toBe(false);
    };

    it('writes the position of an event appended by the same commit into the body of the message that carries it', async () => {
      const appended = events(2);
      const body = (type: string) => JSON.stringify({ id: 'x', event_type: type, payload: { amountMinor: 1250 } });
      const { change, streamId } = await aChangeSet({
        append: undefined,
        outbox: [
          anOutboxMessage({ messageId: appended[1].eventId, payload: body('second'), positionOf: appended[1].eventId }),
          anOutboxMessage({ messageId: appended[0].eventId, payload: body('first'), positionOf: appended[0].eventId }),
          anOutboxMessage({ payload: 'not JSON, no position asked' }),
        ],
      });
      const committed = { ...change, append: { streamId, expectedVersion: 0, events: appended } };
      await drivers().unitOfWork.commit(committed, now);

      const stream = await drivers().eventStore.readStream(streamId);
      const rows = await outboxRowsOf(committed);
      // Row order stays the order of the change set.
      expect(rows.map((row) => row.messageId)).toEqual((committed.outbox ?? []).map((message) => message.messageId));
      expect(rows.map((row) => row.payload)).toEqual([
        `${body('second').slice(0, -1)},"position":${stream[1].position}}`,
        `${body('first').slice(0, -1)},"position":${stream[0].position}}`,
        'not JSON, no position asked',
      ]);
      expect(JSON.parse(rows[0].payload)).toEqual({ id: 'x', event_type: 'second', payload: { amountMinor: 1250 }, position: stream[1].position });
      expect(rows.every((row) => !('positionOf' in row))).toBe(true);
    });

    it('commits every part together and returns the stream version and last position', async () => {
      const { change, claim, streamId } = await aChangeSet();
      const result = await drivers().unitOfWork.commit(change, now);
      expect(result.nextVersion).toBe(2);

      const stream = await drivers().eventStore.readStream(streamId);
      expect(stream.map((event) => event.eventId)).toEqual(change.append?.events.map((event) => event.eventId));
      expect(result.lastPosition).toBe(stream[1].position);
      const rows = await outboxRowsOf(change);
      expect(rows.map((row) => row.messageId)).toEqual(change.outbox?.map((message) => message.messageId));
      expect(rows.every((row) => row.createdAt.getTime() === now.getTime())).toBe(true);
      await expect(drivers().projection.get(change.projection?.orderId ?? '')).resolves.toEqual(change.projection);
      await expect(drivers().idempotency.begin(claim, now)).resolves.toEqual({ outcome: 'replay', response });
      await expect(drivers().sagas.get(change.saga?.sagaId ?? '')).resolves.toEqual({ ...change.saga, version: 1 });
      await expect(drivers().inbox.has('saga', change.inbox?.messageId ?? '')).resolves.toBe(true);
    });

    it('commits a change set with only some parts, returning no version without an append', async () => {
      const projection = anOrderView();
      await expect(drivers().unitOfWork.commit({ projection }, now)).resolves.toEqual({});
      await expect(drivers().projection.get(projection.orderId)).resolves.toEqual(projection);
      const outbox = [anOutboxMessage()];
      await drivers().unitOfWork.commit({ outbox }, now);
      await expect(outboxRowsOf({ outbox })).resolves.toHaveLength(1);
      await expect(drivers().unitOfWork.commit({}, now)).resolves.toEqual({});
    });

    it('writes nothing when the stream version is stale', async () => {
      const { change, claim, streamId } = await aChangeSet();
      const existing = events(1);
      await drivers().eventStore.append({ streamId, expectedVersion: 0, events: existing });
      const error = await rejectionOf(drivers().unitOfWork.commit(change, now));
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ streamId, expectedVersion: 0, actualVersion: 1 });
      await expectNothingWritten(change, claim);
      await expect(drivers().eventStore.readStream(streamId)).resolves.toHaveLength(1);
    });

    it('writes nothing of its append, outbox, projection or idempotency when the saga part conflicts', async () => {
      const stored = aSaga();
      await drivers().unitOfWork.commit({ saga: stored }, now);
      const before = await drivers().sagas.get(stored.sagaId);

      // A second insert of the same saga.
      const duplicate = await aChangeSet({ saga: { ...stored, state: { step: 'duplicate' } } });
      const duplicateError = await rejectionOf(drivers().unitOfWork.commit(duplicate.change, now));
      expect(duplicateError).toBeInstanceOf(ConcurrencyError);
      expect(duplicateError).toMatchObject({ streamId: commitConflictId.saga(stored.sagaId) });
      expect(isInboxConflict(duplicateError)).toBe(false); // a saga that exists is not a message handled before
      await expectNothingWritten(duplicate.change, duplicate.claim, before);

      // A stale version of it.
      await drivers().unitOfWork.commit({ saga: { ...stored, version: 1, state: { step: 'moved on' } } }, now);
      const after = await drivers().sagas.get(stored.sagaId);
      const stale = await aChangeSet({ saga: { ...stored, version: 1, state: { step: 'stale' } } });
      const staleError = await rejectionOf(drivers().unitOfWork.commit(stale.change, now));
      expect(staleError).toBeInstanceOf(ConcurrencyError);
      await expectNothingWritten(stale.change, stale.claim, after);
      expect(after).toMatchObject({ version: 2, state: { step: 'moved on' } });
    });

    it('writes nothing when an event id is already stored', async () => {
      const taken = events(1);
      await drivers().eventStore.append({ streamId: `order-${newId()}`, expectedVersion: 0, events: taken });
      const { change, claim } = await aChangeSet();
      const append = change.append ?? { streamId: '', expectedVersion: 0, events: [] };
      const duplicate = { ...change, append: { ...append, events: [append.events[0], taken[0]] } };
      const error = await rejectionOf(drivers().unitOfWork.commit(duplicate, now));
      expect(error).toBeInstanceOf(Error);
      expect(error).not.toBeInstanceOf(ConcurrencyError);
      await expectNothingWritten(change, claim);
    });

    it('commits a saga start without an append (saga row, inbox entry, its lifecycle event) all or nothing', async () => {
      const start = (saga: SagaRecord, messageId = newId()): ChangeSet => ({
        saga,
        inbox: { consumer: 'saga', messageId },
        outbox: [anOutboxMessage({ key: saga.orderId, topic: 'oms.saga.events' })],
      });
      const first = start(aSaga());
      await drivers().unitOfWork.commit(first, now);
      await expect(outboxRowsOf(first)).resolves.toHaveLength(1);
      await expect(drivers().inbox.has('saga', first.inbox?.messageId ?? '')).resolves.toBe(true);

      // The same saga again (a second message asking for it): no inbox entry, no second event.
      const again = start({ ...(first.saga as SagaRecord), state: { step: 'again' } });
      await expect(drivers().unitOfWork.commit(again, now)).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(outboxRowsOf(again)).resolves.toEqual([]);
      await expect(drivers().inbox.has('saga', again.inbox?.messageId ?? '')).resolves.toBe(false);

      // A message handled already: no saga, no event.
      const repeat = start(aSaga(), first.inbox?.messageId);
      await expect(drivers().unitOfWork.commit(repeat, now)).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(outboxRowsOf(repeat)).resolves.toEqual([]);
      await expect(drivers().sagas.get(repeat.saga?.sagaId ?? '')).resolves.toBeNull();
    });

    it('writes nothing when the inbox already holds the message', async () => {
      const messageId = newId();
      await drivers().unitOfWork.commit({ inbox: { consumer: 'saga', messageId } }, now);
      const { change, claim } = await aChangeSet({ inbox: { consumer: 'saga', messageId } });
      const error = await rejectionOf(drivers().unitOfWork.commit(change, now));
      expect(error).toBeInstanceOf(ConcurrencyError);
      await expectNothingWritten({ ...change, inbox: undefined }, claim);
    });

    it('writes nothing when its idempotency claim was already completed by another request', async () => {
      const { change, claim } = await aChangeSet();
      const other = { status: 409, body: 'first' };
      await drivers().idempotency.complete({ key: claim.key, scope: claim.scope, response: other }, now);
      const error = await rejectionOf(drivers().unitOfWork.commit(change, now));
      expect(error).toBeInstanceOf(ConcurrencyError);
      await expect(drivers().idempotency.begin(claim, now)).resolves.toEqual({ outcome: 'replay', response: other });
      await expect(drivers().projection.get(change.projection?.orderId ?? '')).resolves.toBeNull();
      await expect(outboxRowsOf(change)).resolves.toEqual([]);
      await expect(drivers().eventStore.readStream(change.append?.streamId ?? '')).resolves.toEqual([]);
      await expect(drivers().sagas.get(change.saga?.sagaId ?? '')).resolves.toBeNull();
    });

    it('writes nothing when its idempotency claim no longer exists', async () => {
      const { change, claim } = await aChangeSet();
      await drivers().idempotency.release(claim.key, claim.scope);
      await expect(drivers().unitOfWork.commit(change, now)).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(drivers().eventStore.readStream(change.append?.streamId ?? '')).resolves.toEqual([]);
      await expect(outboxRowsOf(change)).resolves.toEqual([]);
    });

    it('lets exactly one of two concurrent commits on the same stream version through, with only its parts', async () => {
      const a = await aChangeSet();
      const streamId = a.streamId;
      const orderId = a.orderId;
      const b = await aChangeSet({
        append: { streamId, expectedVersion: 0, events: events(1) },
        outbox: [anOutboxMessage({ key: orderId })],
        projection: anOrderView({ orderId, status: 'CANCELED' }),
      });
      const results = await Promise.allSettled([drivers().unitOfWork.commit(a.change, now), drivers().unitOfWork.commit(b.change, now)]);
      const winnerIndex = results.findIndex((result) => result.status === 'fulfilled');
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const loser = results[1 - winnerIndex] as PromiseRejectedResult;
      expect(loser.reason).toBeInstanceOf(ConcurrencyError);
      const [winner, lost] = winnerIndex === 0 ? [a, b] : [b, a];

      const stream = await drivers().eventStore.readStream(streamId);
      expect(stream.map((event) => event.eventId)).toEqual(winner.change.append?.events.map((event) => event.eventId));
      await expect(drivers().projection.get(orderId)).resolves.toEqual(winner.change.projection);
      await expect(outboxRowsOf(lost.change)).resolves.toEqual([]);
      await expect(outboxRowsOf(winner.change)).resolves.toHaveLength(winner.change.outbox?.length ?? -1);
      await expect(drivers().idempotency.begin(lost.claim, now)).resolves.toEqual({ outcome: 'in_flight' });
      await expect(drivers().sagas.get(lost.change.saga?.sagaId ?? '')).resolves.toBeNull();
      await expect(drivers().inbox.has('saga', lost.change.inbox?.messageId ?? '')).resolves.toBe(false);
    });
  });
}
