import { outboxPartition, type OutboxMessage, type PendingOutboxMessage } from '@oms/domain';
import {
  allPartitions,
  anOutboxMessage,
  newId,
  SEE_ALL,
  useSubject,
  type StorageContractSubject,
  type StorageContractFactory,
} from './storage-contract.fixtures';

/**
 * Outbox: rows are written through UnitOfWork; ids increase; a row belongs to the partition
 * of its key; pending rows come back per partition in id order until sent or dead-lettered.
 */
export function describeOutboxContract(name: string, factory: StorageContractFactory): void {
  describe(`Outbox contract: ${name}`, () => {
    const subject = useSubject(factory);
    const outbox = () => subject().drivers.outbox;

    const insert = async (messages: readonly OutboxMessage[], now = new Date()): Promise<void> => {
      await subject().drivers.unitOfWork.commit({ outbox: messages }, now);
    };
    /** The pending rows of these messages, in the order fetchPending returned them. */
    const pendingOf = async (messages: readonly OutboxMessage[], s: StorageContractSubject = subject()) => {
      const ids = new Set(messages.map((message) => message.messageId));
      const rows = await s.drivers.outbox.fetchPending(allPartitions(s), SEE_ALL);
      return rows.filter((row) => ids.has(row.messageId));
    };

    it('stores a message with increasing ids, its key partition, zero attempts and the commit time', async () => {
      const key = newId();
      const messages = [anOutboxMessage({ key }), anOutboxMessage({ key }), anOutboxMessage({ key })];
      const now = new Date('2026-04-01T12:00:00.123Z');
      await insert(messages, now);
      const rows = await pendingOf(messages);
      expect(rows.map((row) => row.messageId)).toEqual(messages.map((message) => message.messageId));
      expect(rows[0].id).toBeLessThan(rows[1].id);
      expect(rows[1].id).toBeLessThan(rows[2].id);
      const partitions = subject().outboxPartitions ?? 16;
      rows.forEach((row, i) => {
        expect(row).toEqual<PendingOutboxMessage>({
          ...messages[i],
          id: expect.any(Number),
          partition: outboxPartition(key, partitions),
          attempts: 0,
          createdAt: now,
        });
      });
    });

    it('assigns ids in commit order across commits and keys', async () => {
      const first = [anOutboxMessage(), anOutboxMessage()];
      const second = [anOutboxMessage()];
      await insert(first);
      await insert(second);
      const rows = await pendingOf([...first, ...second]);
      const byMessage = new Map(rows.map((row) => [row.messageId, row.id]));
      const ids = [...first, ...second].map((message) => byMessage.get(message.messageId) ?? NaN);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(3);
    });

    it('fetches only the requested partitions, in id order, at most limit', async () => {
      const partitions = subject().outboxPartitions ?? 16;
      // Keys of two different partitions.
      const keyA = newId();
      let keyB = newId();
      while (outboxPartition(keyB, partitions) === outboxPartition(keyA, partitions)) keyB = newId();
      const pA = outboxPartition(keyA, partitions);
      const pB = outboxPartition(keyB, partitions);
      const messages = [
        anOutboxMessage({ key: keyA }),
        anOutboxMessage({ key: keyB }),
        anOutboxMessage({ key: keyA }),
        anOutboxMessage({ key: keyB }),
        anOutboxMessage({ key: keyA }),
      ];
      await insert(messages.slice(0, 2));
      await insert(messages.slice(2));
      const mine = new Set(messages.map((message) => message.messageId));

      const onlyA = await outbox().fetchPending([pA], SEE_ALL);
      expect(onlyA.every((row) => row.partition === pA)).toBe(true);
      expect(onlyA.filter((row) => mine.has(row.messageId)).map((row) => row.messageId)).toEqual(
        [messages[0], messages[2], messages[4]].map((message) => message.messageId),
      );
      expect(onlyA.map((row) => row.id)).toEqual([...onlyA.map((row) => row.id)].sort((a, b) => a - b));

      const both = await outbox().fetchPending([pB, pA], SEE_ALL);
      expect(both.every((row) => row.partition === pA || row.partition === pB)).toBe(true);
      expect(both.filter((row) => mine.has(row.messageId)).map((row) => row.messageId)).toEqual(messages.map((m) => m.messageId));
      expect(both.map((row) => row.id)).toEqual([...both.map((row) => row.id)].sort((a, b) => a - b));

      const limited = await outbox().fetchPending([pA], 2);
      expect(limited).toHaveLength(2);
      expect(limited).toEqual(onlyA.slice(0, 2));

      const afterFirst = await outbox().fetchPending([pA], SEE_ALL, onlyA[0]?.id);
      expect(afterFirst).toEqual(onlyA.slice(1));

      await expect(outbox().fetchPending([], SEE_ALL)).resolves.toEqual([]);
      const others = allPartitions(subject()).filter((p) => p !== pA && p !== pB);
      const elsewhere = await outbox().fetchPending(others, SEE_ALL);
      expect(elsewhere.filter((row) => mine.has(row.messageId))).toEqual([]);
    });

    it('does not fetch rows once they are marked sent, and leaves other rows pending', async () => {
      const messages = [anOutboxMessage(), anOutboxMessage(), anOutboxMessage()];
      await insert(messages);
      const rows = await pendingOf(messages);
      await outbox().markSent([rows[0].id, rows[2].id]);
      const left = await pendingOf(messages);
      expect(left.map((row) => row.messageId)).toEqual([messages[1].messageId]);
      await outbox().markSent([rows[1].id]);
      await expect(pendingOf(messages)).resolves.toEqual([]);
    });

    it('deletes published rows outright, never a sent or dead-lettered one', async () => {
      const farFuture = new Date('2100-01-01T00:00:00Z');
      while ((await outbox().pruneSent(farFuture, 10_000)) > 0); // sent rows of earlier tests: gone, so the counts below are this test's
      const messages = [anOutboxMessage(), anOutboxMessage(), anOutboxMessage(), anOutboxMessage()];
      await insert(messages);
      const rows = await pendingOf(messages);
      await outbox().recordFailure(rows[2].id, 'message too large', true);

      await outbox().deleteSent([rows[0].id, rows[1].id, rows[2].id]);
      expect((await pendingOf(messages)).map((row) => row.messageId)).toEqual([messages[3].messageId]);
      await expect(outbox().pruneSent(farFuture, SEE_ALL)).resolves.toBe(0); // deleted, not kept as sent
      await outbox().deleteSent([]);

      // The dead letter was kept for an operator: set pending again, it is there.
      await outbox().requeueDeadLetters(SEE_ALL);
      expect((await pendingOf(messages)).map((row) => row.messageId)).toEqual([messages[2].messageId, messages[3].messageId]);
      await outbox().markSent([rows[3].id]);
      await outbox().deleteSent([rows[2].id, rows[3].id]);
      await expect(pendingOf(messages)).resolves.toEqual([]);
      await expect(outbox().pruneSent(farFuture, SEE_ALL)).resolves.toBe(1); // the row marked sent stayed for the prune
    });

    it('counts failed attempts and keeps a failed row pending until it is dead-lettered', async () => {
      const messages = [anOutboxMessage(), anOutboxMessage()];
      await insert(messages);
      const [row, other] = await pendingOf(messages);

      await outbox().recordFailure(row.id, 'broker unavailable', false);
      await outbox().recordFailure(row.id, 'broker unavailable again', false);
      let rows = await pendingOf(messages);
      expect(rows.map((r) => [r.messageId, r.attempts])).toEqual([
        [row.messageId, 2],
        [other.messageId, 0],
      ]);

      await outbox().recordFailure(row.id, 'message too large', true);
      rows = await pendingOf(messages);
      expect(rows.map((r) => r.messageId)).toEqual([other.messageId]);
      // A dead-lettered row is never fetched again, whatever happens to its neighbours.
      await outbox().markSent([other.id]);
      await expect(pendingOf(messages)).resolves.toEqual([]);
    });

    it('lists dead letters oldest first and sets them pending again with a fresh attempt count', async () => {
      const messages = [anOutboxMessage(), anOutboxMessage(), anOutboxMessage()];
      await insert(messages);
      const rows = await pendingOf(messages);
      for (const row of rows) await outbox().recordFailure(row.id, `refused ${row.messageId}`, true);
      const mine = (batch: { rows: readonly { messageId: string }[] }) =>
        batch.rows.filter((row) => messages.some((message) => message.messageId === row.messageId));

      const listed = await outbox().deadLetters(SEE_ALL);
      expect(mine(listed)).toEqual(
        rows.map((row) => ({
          id: row.id,
          messageId: row.messageId,
          topic: row.topic,
          key: row.key,
          partition: row.partition,
          attempts: 1,
          lastError: `refused ${row.messageId}`,
          createdAt: row.createdAt,
        })),
      );
      expect(listed.remaining).toBe(0);
      const one = await outbox().deadLetters(1);
      expect(one.rows).toHaveLength(1);
      expect(one.remaining).toBe(listed.rows.length - 1);
      expect(await pendingOf(messages)).toEqual([]);

      const requeued = await outbox().requeueDeadLetters(SEE_ALL);
      expect(mine(requeued)).toEqual(mine(listed)); // as they were dead-lettered
      expect(requeued.remaining).toBe(0);
      expect((await pendingOf(messages)).map((row) => [row.messageId, row.attempts])).toEqual(messages.map((message) => [message.messageId, 0]));
      expect(mine(await outbox().deadLetters(SEE_ALL))).toEqual([]);
    });

    it('counts pending rows and reports the oldest pending creation time', async () => {
      const before = await outbox().stats();
      // Older than anything another test writes, so it must be the oldest pending row.
      const ancient = new Date(Date.UTC(1990, 0, 1) + Math.floor(Math.random() * 86_400_000));
      const old = anOutboxMessage();
      const recent = [anOutboxMessage(), anOutboxMessage()];
      await insert([old], ancient);
      await insert(recent, new Date());

      const during = await outbox().stats();
      expect(during.pending).toBe(before.pending + 3);
      expect(during.oldestPendingAt).toEqual(ancient);

      const [oldRow] = await pendingOf([old]);
      const recentRows = await pendingOf(recent);
      await outbox().markSent([oldRow.id]);
      await outbox().recordFailure(recentRows[0].id, 'poison', true);
      const after = await outbox().stats();
      expect(after.pending).toBe(before.pending + 1);
      expect(after.oldestPendingAt).not.toEqual(ancient);
      expect(after.oldestPendingAt).toBeInstanceOf(Date);
      await outbox().markSent([recentRows[1].id]);
      expect((await outbox().stats()).pending).toBe(before.pending);
    });

    it('reports no oldest pending time when nothing is pending', async () => {
      const s = subject();
      const everything = await s.drivers.outbox.fetchPending(allPartitions(s), SEE_ALL);
      await s.drivers.outbox.markSent(everything.map((row) => row.id));
      await expect(s.drivers.outbox.stats()).resolves.toEqual({ pending: 0, oldestPendingAt: null });
    });

    it('prunes sent rows older than the cut-off, at most limit, never pending rows', async () => {
      const sent = [anOutboxMessage(), anOutboxMessage(), anOutboxMessage()];
      const pending = [anOutboxMessage()];
      await insert([...sent, ...pending]);
      const rows = await pendingOf(sent);
      await outbox().markSent(rows.map((row) => row.id));

      // Nothing was sent before 1970.
      await expect(outbox().pruneSent(new Date(0), 100)).resolves.toBe(0);
      const cutoff = new Date(Date.now() + 60_000);
      await expect(outbox().pruneSent(cutoff, 2)).resolves.toBe(2);
      const rest = await outbox().pruneSent(cutoff, SEE_ALL);
      expect(rest).toBeGreaterThanOrEqual(1);
      await expect(outbox().pruneSent(cutoff, SEE_ALL)).resolves.toBe(0);
      // The pending row survives pruning.
      await expect(pendingOf(pending)).resolves.toHaveLength(1);
    });
  });
}
