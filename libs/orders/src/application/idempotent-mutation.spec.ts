import { loadConfig } from '@oms/config';
import {
  ConcurrencyError,
  DomainError,
  IdempotencyStore,
  type IdempotencyBeginResult,
  type IdempotencyClaim,
  type IdempotencyCompletion,
  type StoredResponse,
} from '@oms/domain';
import { FixedClock } from '@oms/domain/testing';
import { IdempotentMutation, completionOf, type ClaimedKey } from './idempotent-mutation';
import type { MutationOutcome, MutationResult } from './mutation-context';
import { requestHash } from './request-hash';

/** The port's semantics in a few lines (the storage drivers prove theirs in the port contract suite): one key space. */
class FakeIdempotencyStore extends IdempotencyStore {
  private readonly records = new Map<string, { scope: string; hash: string; lockedAt: number; response: StoredResponse | null }>();

  async begin(claim: IdempotencyClaim, now: Date): Promise<IdempotencyBeginResult> {
    const record = this.records.get(claim.key);
    if (!record) {
      this.records.set(claim.key, { scope: claim.scope, hash: claim.requestHash, lockedAt: now.getTime(), response: null });
      return { outcome: 'started' };
    }
    if (record.hash !== claim.requestHash) return { outcome: 'mismatch', scope: record.scope };
    if (record.response) return { outcome: 'replay', response: structuredClone(record.response) };
    if (now.getTime() > record.lockedAt + claim.lockMs) {
      record.lockedAt = now.getTime();
      return { outcome: 'started' };
    }
    return { outcome: 'in_flight' };
  }
  async complete(completion: IdempotencyCompletion): Promise<void> {
    const record = this.recordOf(completion.key, completion.scope);
    if (record && !record.response) record.response = structuredClone(completion.response);
  }
  async release(key: string, scope: string): Promise<void> {
    if (this.recordOf(key, scope)?.response === null) this.records.delete(key);
  }
  async deleteExpired(): Promise<number> {
    return 0;
  }
  responseOf(key: string, scope: string): StoredResponse | null | undefined {
    return this.recordOf(key, scope)?.response;
  }
  private recordOf(key: string, scope: string) {
    const record = this.records.get(key);
    return record?.scope === scope ? record : undefined;
  }
}

describe('IdempotentMutation (Stripe semantics)', () => {
  let fake: FakeIdempotencyStore;
  let store: IdempotencyStore;
  let clock: FixedClock;
  let mutation: IdempotentMutation;
  const request = { key: 'k1', scope: 'PayOrder:o1', request: { orderId: 'o1' } };

  beforeEach(() => {
    fake = new FakeIdempotencyStore();
    store = fake;
    clock = new FixedClock();
    mutation = new IdempotentMutation(store, clock, loadConfig({ OMS_IDEMPOTENCY_LOCK: '30s' }));
  });

  /** A mutation that commits its completion with its change, the way the unit of work would. */
  const succeeding = (body: unknown, outcome: MutationOutcome = 'accepted') =>
    jest.fn(async (claim: ClaimedKey) => {
      const result: MutationResult<unknown> = { outcome, body };
      const { idempotency } = completionOf(claim, result);
      if (idempotency) await store.complete(idempotency, clock.now());
      return result;
    });

  it('runs the first request and replays its outcome and body for the same request', async () => {
    const perform = succeeding({ orderId: 'o1', status: 'ORDER_STATUS_PENDING' });
    const first = await mutation.run(request, perform);
    const again = await mutation.run({ ...request, request: { orderId: 'o1' } }, perform);
    expect(again).toEqual(first);
    expect(perform).toHaveBeenCalledTimes(1);
  });

  it('refuses the same key with a different request (IDEMPOTENCY_KEY_REUSED)', async () => {
    await mutation.run(request, succeeding({}));
    await expect(mutation.run({ ...request, request: { orderId: 'o1', extra: 1 } }, succeeding({}))).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('refuses the key for another operation or order, naming the operation it was first used for but not the order', async () => {
    await mutation.run(request, succeeding({}));
    for (const other of [
      { key: 'k1', scope: 'PayOrder:o2', request: { orderId: 'o2' } },
      { key: 'k1', scope: 'CancelOrder:o1', request: { orderId: 'o1', reason: '' } },
      { key: 'k1', scope: 'CreateOrder', request: { customerId: 'c' } },
    ]) {
      const perform = succeeding({});
      const error = (await mutation.run(other, perform).catch((caught: unknown) => caught)) as DomainError;
      expect(error).toBeInstanceOf(DomainError);
      expect(error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(error.message).toMatch(/already used for PayOrder with another request/);
      expect(error.message).not.toContain('o1');
      expect(perform).not.toHaveBeenCalled();
    }
  });

  it('answers IDEMPOTENCY_KEY_IN_FLIGHT while the first request runs, and lets a crashed claim be taken over after the lock time', async () => {
    let finish!: () => void;
    const slow = mutation.run(request, () => new Promise<MutationResult<unknown>>((resolve) => (finish = () => resolve({ outcome: 'accepted', body: {} }))));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(mutation.run(request, succeeding({}))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    clock.time = new Date(clock.time.getTime() + 31_000);
    await expect(mutation.run(request, succeeding({ late: true }))).resolves.toEqual({ outcome: 'accepted', body: { late: true } });
    finish();
    await slow;
  });

  it('stores a deterministic rejection so that a retry gets the same error without running again', async () => {
    const rejecting = jest.fn(async () => {
      throw new DomainError('ORDER_NOT_PAYABLE', 'order o1 cannot be paid', [{ field: 'id', message: 'x' }]);
    });
    await expect(mutation.run(request, rejecting)).rejects.toMatchObject({ code: 'ORDER_NOT_PAYABLE' });
    const replayed = await mutation.run(request, rejecting).catch((error: unknown) => error);
    expect(replayed).toBeInstanceOf(DomainError);
    expect(replayed).toMatchObject({ code: 'ORDER_NOT_PAYABLE', message: 'order o1 cannot be paid', violations: [{ field: 'id', message: 'x' }] });
    expect(rejecting).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['a concurrency conflict after retries', new ConcurrencyError('order-o1', 1, 2)],
    ['an infrastructure error', new Error('connection reset')],
  ])('releases the key after %s so that the client can retry', async (_name, failure) => {
    await expect(mutation.run(request, async () => Promise.reject(failure))).rejects.toBe(failure);
    await expect(mutation.run(request, succeeding({ ok: true }))).resolves.toEqual({ outcome: 'accepted', body: { ok: true } });
  });

  it('stores what the edges need, not a transport status: the outcome and body, or the rejection with its code', async () => {
    await mutation.run(request, succeeding({ orderId: 'o1' }, 'created'));
    await mutation
      .run({ ...request, key: 'k2' }, async () => {
        throw new DomainError('ORDER_NOT_PAYABLE', 'order o1 cannot be paid');
      })
      .catch(() => undefined);

    expect(fake.responseOf('k1', request.scope)).toEqual({ outcome: 'created', body: { orderId: 'o1' } });
    expect(fake.responseOf('k2', request.scope)).toEqual({
      outcome: 'rejected',
      body: { error: { code: 'ORDER_NOT_PAYABLE', message: 'order o1 cannot be paid', violations: [] } },
    });
  });

  describe('replays rows stored before outcomes were (a rolling deploy)', () => {
    /** A completed row as an older release wrote it: the REST status next to the body. */
    async function legacyRow(key: string, response: StoredResponse): Promise<void> {
      await store.begin({ key, scope: request.scope, requestHash: requestHash(request.scope, request.request), lockMs: 30_000 }, clock.now());
      await store.complete({ key, scope: request.scope, response }, clock.now());
    }

    it.each<[number, MutationOutcome]>([
      [201, 'created'],
      [202, 'accepted'],
    ])('status %s replays as %s with the very same body', async (status, outcome) => {
      const body = { order: { id: 'o1', amount: { currency: 'EUR', amountMinor: '1250' } } };
      await legacyRow(`legacy-${status}`, { status, body });
      const perform = succeeding({ other: true });
      await expect(mutation.run({ ...request, key: `legacy-${status}` }, perform)).resolves.toEqual({ outcome, body });
      expect(perform).not.toHaveBeenCalled();
    });

    it('a stored rejection (its 4xx status and the error) replays as the same DomainError', async () => {
      const error = { code: 'REFUND_EXCEEDS_PAID_AMOUNT', message: 'refund of 9 exceeds the 5 EUR paid', violations: [] };
      await legacyRow('legacy-409', { status: 409, body: { error } });
      const perform = succeeding({});
      const replayed = await mutation.run({ ...request, key: 'legacy-409' }, perform).catch((e: unknown) => e);
      expect(replayed).toBeInstanceOf(DomainError);
      expect(replayed).toMatchObject(error);
      expect(perform).not.toHaveBeenCalled();
    });
  });
});
