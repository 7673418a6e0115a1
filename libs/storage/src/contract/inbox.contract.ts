import { ConcurrencyError, isInboxConflict } from '@oms/domain';
import { anEvent, newId, rejectionOf, useSubject, type StorageContractFactory } from './storage-contract.fixtures';

/**
 * Inbox: consumer-side dedup, written by UnitOfWork's `inbox` part. Recording a message that
 * is already there fails the WHOLE commit with ConcurrencyError (it is not silently ignored),
 * so a redelivered message can never apply its changes twice.
 */
export function describeInboxContract(name: string, factory: StorageContractFactory): void {
  describe(`Inbox contract: ${name}`, () => {
    const subject = useSubject(factory);
    const inbox = () => subject().drivers.inbox;
    const commit = (change: Parameters<ReturnType<typeof subject>['drivers']['unitOfWork']['commit']>[0]) =>
      subject().drivers.unitOfWork.commit(change, new Date());

    it('has no unknown message', async () => {
      await expect(inbox().has('oms-saga-orchestrator', newId())).resolves.toBe(false);
    });

    it('has a message once a commit recorded it, for that consumer only', async () => {
      const messageId = newId();
      await commit({ inbox: { consumer: 'oms-saga-orchestrator', messageId } });
      await expect(inbox().has('oms-saga-orchestrator', messageId)).resolves.toBe(true);
      await expect(inbox().has('another-consumer', messageId)).resolves.toBe(false);
      await commit({ inbox: { consumer: 'another-consumer', messageId } });
      await expect(inbox().has('another-consumer', messageId)).resolves.toBe(true);
    });

    it('fails a commit that records a message again, writing nothing of it', async () => {
      const messageId = newId();
      await commit({ inbox: { consumer: 'saga', messageId } });
      const streamId = `order-${newId()}`;
      const error = await rejectionOf(
        commit({ inbox: { consumer: 'saga', messageId }, append: { streamId, expectedVersion: 0, events: [anEvent()] } }),
      );
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(isInboxConflict(error)).toBe(true); // the saga tells "handled before" from a saga that exists by it
      await expect(subject().drivers.eventStore.readStream(streamId)).resolves.toEqual([]);
      await expect(inbox().has('saga', messageId)).resolves.toBe(true);
    });

    it('forgets messages handled before the cut-off, in batches, and keeps the younger ones', async () => {
      const cutoff = new Date('2000-01-10T00:00:00Z'); // older than any row another suite writes
      const before = await inbox().deleteProcessedBefore(cutoff, 1_000_000);
      expect(before).toBe(0);
      const old = [newId(), newId(), newId(), newId(), newId()];
      const young = newId();
      for (const [index, messageId] of old.entries()) {
        const consumer = index % 2 === 0 ? 'saga' : 'another-consumer';
        await subject().drivers.unitOfWork.commit({ inbox: { consumer, messageId } }, new Date(cutoff.getTime() - 60_000 * (index + 1)));
      }
      await subject().drivers.unitOfWork.commit({ inbox: { consumer: 'saga', messageId: young } }, cutoff);

      await expect(inbox().deleteProcessedBefore(cutoff, 3)).resolves.toBe(3);
      await expect(inbox().deleteProcessedBefore(cutoff, 3)).resolves.toBe(2);
      await expect(inbox().deleteProcessedBefore(cutoff, 3)).resolves.toBe(0);
      await expect(inbox().deleteProcessedBefore(cutoff, 0)).resolves.toBe(0);
      for (const [index, messageId] of old.entries()) {
        await expect(inbox().has(index % 2 === 0 ? 'saga' : 'another-consumer', messageId)).resolves.toBe(false);
      }
      await expect(inbox().has('saga', young)).resolves.toBe(true); // not before the cut-off: kept
    });

    it('lets only one of two concurrent commits of the same message through', async () => {
      const messageId = newId();
      const streams = [`order-${newId()}`, `order-${newId()}`];
      const results = await Promise.allSettled(
        streams.map((streamId) =>
          commit({ inbox: { consumer: 'saga', messageId }, append: { streamId, expectedVersion: 0, events: [anEvent()] } }),
        ),
      );
      expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
      const written = await Promise.all(streams.map((streamId) => subject().drivers.eventStore.readStream(streamId)));
      expect(written.map((stream) => stream.length).sort()).toEqual([0, 1]);
    });
  });
}
