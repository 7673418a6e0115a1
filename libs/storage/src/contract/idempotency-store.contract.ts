import type { IdempotencyClaim } from '@oms/domain';
import { events, newId, useSubject, type StorageContractFactory } from './storage-contract.fixtures';

/**
 * IdempotencyStore, Stripe semantics in one key space: one record per key. A new key starts;
 * the same request (scope and hash) again replays the stored response once completed, or is
 * refused while in flight (until the lock expires: then it is taken over); another request
 * under the key, whatever its scope, mismatches and learns the scope the key was first used for.
 */
export function describeIdempotencyStoreContract(name: string, factory: StorageContractFactory): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    const subject = useSubject(factory);
    const store = () => subject().drivers.idempotency;

    const t0 = new Date('2026-03-01T10:00:00.000Z');
    const later = (ms: number) => new Date(t0.getTime() + ms);
    const aClaim = (overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim => ({
      key: newId(),
      scope: 'CreateOrder',
      requestHash: `sha256:${newId()}`,
      lockMs: 30_000,
      ...overrides,
    });
    const response = { status: 201, body: { order: { id: 'o-1', amount: { amountMinor: '1250', currency: 'EUR' } }, list: [1, 'x', null] } };

    it('starts a new key', async () => {
      await expect(store().begin(aClaim(), t0)).resolves.toEqual({ outcome: 'started' });
    });

    it('reads the stream it is asked for with a claim that starts (a new one or a takeover), and with no other outcome', async () => {
      const eventStore = subject().drivers.eventStore;
      const streamId = `order-${newId()}`;
      // Appends to another stream in between: the stream comes back in version order, and alone.
      await eventStore.append({ streamId, expectedVersion: 0, events: events(1) });
      await eventStore.append({ streamId: `order-${newId()}`, expectedVersion: 0, events: events(2) });
      await eventStore.append({ streamId, expectedVersion: 1, events: events(2) });
      const stream = await eventStore.readStream(streamId);
      expect(stream.map((event) => event.version)).toEqual([1, 2, 3]);
      const claim = aClaim({ lockMs: 1_000 });

      await expect(store().begin(claim, t0, { readStream: streamId })).resolves.toEqual({ outcome: 'started', stream });
      await expect(store().begin(claim, later(1), { readStream: streamId })).resolves.toEqual({ outcome: 'in_flight' });
      await expect(store().begin({ ...claim, requestHash: 'sha256:other' }, later(2), { readStream: streamId })).resolves.toEqual({
        outcome: 'mismatch',
        scope: claim.scope,
      });
      await expect(store().begin(claim, later(1_001), { readStream: streamId })).resolves.toEqual({ outcome: 'started', stream });
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(1_002));
      await expect(store().begin(claim, later(1_003), { readStream: streamId })).resolves.toEqual({ outcome: 'replay', response });
      // A stream with no events yet is read as empty; without readStream nothing is read.
      await expect(store().begin(aClaim(), t0, { readStream: `order-${newId()}` })).resolves.toEqual({ outcome: 'started', stream: [] });
      await expect(store().begin(aClaim(), t0, {})).resolves.toEqual({ outcome: 'started' });
    });

    it('refuses the same request while it is in flight and the lock holds', async () => {
      const claim = aClaim();
      await store().begin(claim, t0);
      await expect(store().begin(claim, later(1))).resolves.toEqual({ outcome: 'in_flight' });
      await expect(store().begin(claim, later(claim.lockMs))).resolves.toEqual({ outcome: 'in_flight' });
    });

    it('reports a mismatch for another request under the same key and scope, in flight or completed', async () => {
      const claim = aClaim();
      const mismatch = { outcome: 'mismatch', scope: claim.scope };
      await store().begin(claim, t0);
      await expect(store().begin({ ...claim, requestHash: 'sha256:other' }, later(1))).resolves.toEqual(mismatch);
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(2));
      await expect(store().begin({ ...claim, requestHash: 'sha256:other' }, later(3))).resolves.toEqual(mismatch);
      // A mismatching request never takes over, even after the lock would have expired.
      const inFlight = aClaim();
      await store().begin(inFlight, t0);
      await expect(store().begin({ ...inFlight, requestHash: 'sha256:other' }, later(inFlight.lockMs * 10))).resolves.toEqual({
        outcome: 'mismatch',
        scope: inFlight.scope,
      });
    });

    it('replays the stored response, status and body, once completed', async () => {
      const claim = aClaim();
      await store().begin(claim, t0);
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(5));
      await expect(store().begin(claim, later(10))).resolves.toEqual({ outcome: 'replay', response });
      // Still a replay long after any lock would have expired.
      await expect(store().begin(claim, later(claim.lockMs * 100))).resolves.toEqual({ outcome: 'replay', response });
    });

    it('keeps the first stored response', async () => {
      const claim = aClaim();
      await store().begin(claim, t0);
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(5));
      await store().complete({ key: claim.key, scope: claim.scope, response: { status: 500, body: 'late' } }, later(6));
      await expect(store().begin(claim, later(10))).resolves.toEqual({ outcome: 'replay', response });
    });

    it('lets the same request take over an in-flight claim whose lock expired, and then holds it again', async () => {
      const claim = aClaim({ lockMs: 1_000 });
      await store().begin(claim, t0);
      await expect(store().begin(claim, later(1_001))).resolves.toEqual({ outcome: 'started' });
      // The takeover re-locks from its own start.
      await expect(store().begin(claim, later(1_500))).resolves.toEqual({ outcome: 'in_flight' });
      await expect(store().begin(claim, later(2_001))).resolves.toEqual({ outcome: 'in_flight' });
      await expect(store().begin(claim, later(2_002))).resolves.toEqual({ outcome: 'started' });
    });

    it('keeps one key space: the key under another scope mismatches, naming the first scope, in flight or completed', async () => {
      const order = newId();
      const claim = aClaim({ scope: 'CreateOrder' });
      const mismatch = { outcome: 'mismatch', scope: 'CreateOrder' };
      await store().begin(claim, t0);
      // In flight: another operation, another order, even the same hash under another scope.
      await expect(store().begin({ ...claim, scope: `PayOrder:${order}`, requestHash: 'sha256:other' }, later(1))).resolves.toEqual(mismatch);
      await expect(store().begin({ ...claim, scope: `PayOrder:${order}` }, later(2))).resolves.toEqual(mismatch);
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(3));
      for (const scope of [`PayOrder:${order}`, `PayOrder:${newId()}`, `CancelOrder:${order}`, `RefundOrder:${order}`]) {
        await expect(store().begin({ ...claim, scope, requestHash: 'sha256:other' }, later(4))).resolves.toEqual(mismatch);
      }
      // Long after any lock: still refused, and the first request still replays.
      await expect(store().begin({ ...claim, scope: `PayOrder:${order}` }, later(claim.lockMs * 100))).resolves.toEqual(mismatch);
      await expect(store().begin(claim, later(5))).resolves.toEqual({ outcome: 'replay', response });
    });

    it('lets only the scope that holds a key complete or release it', async () => {
      const claim = aClaim({ scope: `PayOrder:${newId()}` });
      await store().begin(claim, t0);
      await store().complete({ key: claim.key, scope: `CancelOrder:${newId()}`, response: { status: 202, body: 'other' } }, later(1));
      await store().release(claim.key, 'CreateOrder');
      await expect(store().begin(claim, later(2))).resolves.toEqual({ outcome: 'in_flight' });
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(3));
      await expect(store().begin(claim, later(4))).resolves.toEqual({ outcome: 'replay', response });
    });

    it('lets only one of many concurrent first requests of different scopes start; the others mismatch', async () => {
      const key = newId();
      const claims = Array.from({ length: 6 }, (_, index) => aClaim({ key, scope: index === 0 ? 'CreateOrder' : `PayOrder:o-${index}` }));
      const outcomes = await Promise.all(claims.map((claim) => store().begin(claim, t0)));
      const started = outcomes.flatMap((outcome, index) => (outcome.outcome === 'started' ? [claims[index].scope] : []));
      expect(started).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.outcome !== 'started')).toEqual(
        Array.from({ length: 5 }, () => ({ outcome: 'mismatch', scope: started[0] })),
      );
    });

    it('lets only one of many concurrent first requests start', async () => {
      const claim = aClaim();
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store().begin(claim, t0)));
      const counts = outcomes.reduce<Record<string, number>>((acc, { outcome }) => ({ ...acc, [outcome]: (acc[outcome] ?? 0) + 1 }), {});
      expect(counts).toEqual({ started: 1, in_flight: 9 });
    });

    it('lets only one of many concurrent takeovers of an expired claim start', async () => {
      const claim = aClaim({ lockMs: 1_000 });
      await store().begin(claim, t0);
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => store().begin(claim, later(5_000))));
      expect(outcomes.filter(({ outcome }) => outcome === 'started')).toHaveLength(1);
      expect(outcomes.filter(({ outcome }) => outcome === 'in_flight')).toHaveLength(9);
    });

    it('frees an in-flight claim on release so the client may retry, even with another body', async () => {
      const claim = aClaim();
      await store().begin(claim, t0);
      await store().release(claim.key, claim.scope);
      await expect(store().begin({ ...claim, requestHash: 'sha256:retry' }, later(1))).resolves.toEqual({ outcome: 'started' });
    });

    it('does not release a completed record', async () => {
      const claim = aClaim();
      await store().begin(claim, t0);
      await store().complete({ key: claim.key, scope: claim.scope, response }, later(1));
      await store().release(claim.key, claim.scope);
      await expect(store().begin(claim, later(2))).resolves.toEqual({ outcome: 'replay', response });
    });

    it('releasing an unknown key is harmless', async () => {
      await expect(store().release(newId(), 'CreateOrder')).resolves.toBeUndefined();
    });

    it('deletes records created before the cut-off, at most limit per call, in flight or completed', async () => {
      // A window of its own far in the past, so no other test's records are older than the cut-off... except
      // leftovers of this very test in a reused database, which only make the counts larger, never wrong.
      const base = new Date(Date.UTC(1980, 0, 1) + Math.floor(Math.random() * 365 * 86_400_000));
      const at = (ms: number) => new Date(base.getTime() + ms);
      const old = [aClaim(), aClaim(), aClaim(), aClaim(), aClaim()];
      for (const [i, claim] of old.entries()) await store().begin(claim, at(i));
      await store().complete({ key: old[0].key, scope: old[0].scope, response }, at(10));
      const young = aClaim();
      await store().begin(young, at(60_000));
      const cutoff = at(30_000);

      await expect(store().deleteExpired(cutoff, 3)).resolves.toBe(3);
      const second = await store().deleteExpired(cutoff, 1_000_000);
      expect(second).toBeGreaterThanOrEqual(2);
      await expect(store().deleteExpired(cutoff, 1_000_000)).resolves.toBe(0);

      // Every old record is gone (a new begin starts afresh, even the completed one); the young one stays.
      for (const claim of old) {
        await expect(store().begin({ ...claim, requestHash: 'sha256:new' }, at(60_001))).resolves.toEqual({ outcome: 'started' });
      }
      await expect(store().begin(young, at(60_002))).resolves.toEqual({ outcome: 'in_flight' });
    });
  });
}
