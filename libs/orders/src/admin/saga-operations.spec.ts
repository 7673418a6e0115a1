import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import {
  commitConflictId,
  ConcurrencyError,
  DomainError,
  UuidV7IdGenerator,
  initialSagaState,
  type ChangeSet,
  type Clock,
  type DeadLetteredMessage,
  type EventStore,
  type IdempotencyStore,
  type Outbox,
  type SagaListQuery,
  type SagaRecord,
  type SagaStatus,
  type SagaStore,
  type StoredEvent,
  type UnitOfWork,
} from '@oms/domain';
import { testConfig } from '@oms/testing';
import { EventSourcedOrderStreams } from '../application/event-sourced-order-streams';
import { IdempotentMutation } from '../application/idempotent-mutation';
import { AdminTokenGuard } from '../edge/admin/admin-token.guard';
import { AdminRequests } from './admin-requests.handler';
import { SagaOperations } from './saga-operations';

const TOKEN = 'unit-admin-token-0123456789';

/**
 * Just enough of the storage ports, in memory, for the admin service (the storage drivers' own
 * contract suites prove the real ones; this lib may not import them).
 */
function fakeDrivers() {
  const streams = new Map<string, StoredEvent[]>();
  const sagas = new Map<string, SagaRecord>();
  const keys = new Map<string, { hash: string; scope: string; response?: unknown }>();
  let deadLetters: DeadLetteredMessage[] = [];
  const eventStore = { readStream: async (id: string) => [...(streams.get(id) ?? [])] } as unknown as EventStore;
  const unitOfWork = {
    async commit(change: ChangeSet) {
      const { append, saga, idempotency } = change;
      const current = append ? (streams.get(append.streamId) ?? []) : [];
      if (append && current.length !== append.expectedVersion) throw new ConcurrencyError(append.streamId, append.expectedVersion, current.length);
      if (saga && (sagas.get(saga.sagaId)?.version ?? 0) !== saga.version) throw new ConcurrencyError(commitConflictId.saga(saga.sagaId), saga.version, -1);
      if (append) streams.set(append.streamId, [...current, ...append.events.map((e, i) => ({ ...e, streamId: append.streamId, version: current.length + i + 1, position: 0 }))]);
      if (saga) sagas.set(saga.sagaId, { ...saga, version: saga.version + 1 });
      if (idempotency) keys.set(idempotency.key, { hash: keys.get(idempotency.key)?.hash ?? '', scope: idempotency.scope, response: idempotency.response });
      return {};
    },
  } as unknown as UnitOfWork;
  const sagaStore = {
    get: async (id: string) => sagas.get(id) ?? null,
    list: async ({ status, updatedBefore, after, limit }: SagaListQuery) =>
      [...sagas.values()]
        .filter((s) => (!status || s.status === status) && (!updatedBefore || s.updatedAt < updatedBefore))
        .sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || (a.sagaId < b.sagaId ? -1 : 1))
        .filter((s) => !after || s.updatedAt > after.updatedAt || (s.updatedAt.getTime() === after.updatedAt.getTime() && s.sagaId > after.sagaId))
        .slice(0, limit),
  } as unknown as SagaStore;
  const outbox = {
    deadLetters: async (limit: number) => ({ rows: deadLetters.slice(0, limit), remaining: Math.max(0, deadLetters.length - limit) }),
    async requeueDeadLetters(limit: number) {
      const rows = deadLetters.slice(0, limit);
      deadLetters = deadLetters.slice(limit);
      return { rows, remaining: deadLetters.length };
    },
  } as unknown as Outbox;
  const idempotency = {
    async begin({ key, scope, requestHash }: { key: string; scope: string; requestHash: string }) {
      const known = keys.get(key);
      if (!known) {
        keys.set(key, { hash: requestHash, scope });
        return { outcome: 'started' };
      }
      if (known.hash !== requestHash) return { outcome: 'mismatch', scope: known.scope };
      return known.response === undefined ? { outcome: 'in_flight' } : { outcome: 'replay', response: known.response };
    },
    async complete({ key, scope, response }: { key: string; scope: string; response: unknown }) {
      keys.set(key, { hash: keys.get(key)?.hash ?? '', scope, response });
    },
    release: async (key: string) => void keys.delete(key),
  } as unknown as IdempotencyStore;
  const deadLetter = (id: number, lastError: string) =>
    deadLetters.push({ id, messageId: `m-${id}`, topic: 'oms.order.events', key: 'k', partition: 0, attempts: 10, lastError, createdAt: new Date(0) });
  return { eventStore, unitOfWork, sagas: sagaStore, outbox, idempotency, deadLetter };
}

/** The admin service on those ports, with a clock the test moves. */
function setUp() {
  let now = Date.parse('2026-03-01T10:00:00.000Z');
  const clock: Clock = { now: () => new Date(now) };
  const drivers = fakeDrivers();
  const ids = new UuidV7IdGenerator();
  const orders = new EventSourcedOrderStreams(drivers.eventStore, drivers.unitOfWork, clock, ids);
  const operations = new SagaOperations(drivers.sagas, orders, drivers.outbox, clock);
  const config = testConfig({ OMS_ADMIN_TOKEN: TOKEN });
  const requests = new AdminRequests(operations, new IdempotentMutation(drivers.idempotency, clock, config), drivers.idempotency, clock);

  /** A placed order with a fulfilment saga in `status`, last updated now. */
  const saga = async (status: SagaStatus = 'COMPENSATION_FAILED'): Promise<SagaRecord> => {
    const orderId = ids.newId();
    const sagaId = ids.newId();
    await orders.execute(orderId, [
      { type: 'PlaceOrder', data: { orderId, customerId: 'c-1', currency: 'EUR', items: [{ sku: 'S', qty: 1, unitPriceMinor: 500 }] } },
      { type: 'RequestPayment', data: { sagaId } },
    ]);
    const record: SagaRecord = {
      sagaId,
      orderId,
      kind: 'fulfilment',
      status,
      state: { ...initialSagaState('fulfilment', sagaId, orderId), step: 'refund', attempts: 2, stepStartedAt: new Date(now).toISOString(), lastError: 'refused' },
      version: 0,
      nextAttemptAt: null,
      deadlineAt: null,
      createdAt: new Date(now),
      updatedAt: new Date(now),
    };
    await drivers.unitOfWork.commit({ saga: record }, new Date(now));
    return { ...record, version: 1 };
  };
  return { drivers, operations, requests, orders, saga, tick: (ms: number) => (now += ms) };
}

const rejectionOf = async (promise: Promise<unknown>): Promise<DomainError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
};

describe('SagaOperations', () => {
  it('lists by status and age, oldest update first, in pages whose tokens are bound to the filters', async () => {
    const { operations, saga, tick } = setUp();
    const old = await saga();
    tick(60_000);
    const recent = await saga();
    await saga('RUNNING');

    const first = await operations.list({ status: 'COMPENSATION_FAILED', pageSize: 1 });
    expect(first.sagas.map((s) => s.sagaId)).toEqual([old.sagaId]);
    const second = await operations.list({ status: 'COMPENSATION_FAILED', pageSize: 1, pageToken: first.nextPageToken });
    expect(second).toEqual({ sagas: [expect.objectContaining({ sagaId: recent.sagaId })], nextPageToken: '' });

    expect((await operations.list({ status: 'COMPENSATION_FAILED', olderThanMs: 30_000, pageSize: 10 })).sagas.map((s) => s.sagaId)).toEqual([old.sagaId]);
    const otherFilter = await rejectionOf(operations.list({ status: 'RUNNING', pageSize: 1, pageToken: first.nextPageToken }));
    expect(otherFilter.violations).toEqual([{ field: 'pageToken', message: 'was issued for other status / olderThan filters' }]);
    const garbage = await rejectionOf(operations.list({ pageSize: 1, pageToken: 'not-a-token' }));
    expect(garbage.violations).toEqual([{ field: 'pageToken', message: 'is not a token from a previous page' }]);
  });

  it('shows a saga with the order events naming it; an unknown saga is SAGA_NOT_FOUND', async () => {
    const { operations, saga } = setUp();
    const stored = await saga();
    const detail = await operations.show(stored.sagaId);
    expect(detail.saga).toEqual(stored);
    expect(detail.history.map((event) => event.type)).toEqual(['OrderPaymentRequested']);
    expect((await rejectionOf(operations.show('nope'))).code).toBe('SAGA_NOT_FOUND');
  });

  it('retries: a failed compensation runs again from a fresh step, due now; a RUNNING saga becomes due; others are refused', async () => {
    const { operations, saga, drivers, tick } = setUp();
    const failed = await saga();
    tick(5_000);
    const retried = await operations.retry(failed.sagaId);
    expect(retried).toMatchObject({ status: 'RUNNING', version: 2, nextAttemptAt: new Date(Date.parse('2026-03-01T10:00:05.000Z')) });
    expect(retried.state).toMatchObject({ step: null, attempts: 0, stepStartedAt: null, lastError: null });
    expect(await drivers.sagas.get(failed.sagaId)).toEqual(retried);

    const running = await saga('RUNNING');
    expect((await operations.retry(running.sagaId)).state).toMatchObject({ step: 'refund', attempts: 2 });
    expect((await drivers.sagas.get(running.sagaId))?.nextAttemptAt).toEqual(new Date(Date.parse('2026-03-01T10:00:05.000Z')));

    const done = await saga('COMPLETED');
    expect((await rejectionOf(operations.retry(done.sagaId))).code).toBe('ILLEGAL_TRANSITION');
  });

  it('resolves with who and why on the order, in one commit with the saga; only once', async () => {
    const { operations, saga, orders } = setUp();
    const failed = await saga();
    const resolved = await operations.resolve(failed.sagaId, { note: 'refunded by hand', resolvedBy: 'ops-li' });
    expect(resolved).toMatchObject({ status: 'RESOLVED', nextAttemptAt: null, version: 2 });
    const order = await orders.load(failed.orderId);
    expect(order.events.at(-1)).toMatchObject({ type: 'OrderSagaResolved', data: { resolvedBy: 'ops-li', note: 'refunded by hand' } });
    expect(order.state.fulfilment).toBe('DONE');
    expect((await rejectionOf(operations.resolve(failed.sagaId, { note: 'again', resolvedBy: 'x' }))).code).toBe('ILLEGAL_TRANSITION');
  });

  it('lists and requeues outbox dead letters', async () => {
    const { operations, drivers } = setUp();
    drivers.deadLetter(7, 'too large');
    drivers.deadLetter(9, 'not authorized');
    expect(await operations.deadLetters(1)).toEqual({ rows: [expect.objectContaining({ id: 7, lastError: 'too large' })], remaining: 1 });
    expect((await operations.reprocessDeadLetters(10)).rows.map((r) => r.id)).toEqual([7, 9]);
    expect(await operations.deadLetters(10)).toEqual({ rows: [], remaining: 0 });
  });
});

describe('AdminRequests', () => {
  it('parses every field of a request and names each invalid one', async () => {
    const { requests } = setUp();
    const invalid = await rejectionOf(requests.listSagas({ status: 'STUCK', olderThan: '5 minutes', pageSize: '1000', extra: '1' }));
    expect(invalid.violations.map((v) => v.field)).toEqual(['extra', 'status', 'olderThan', 'pageSize']);
    const resolve = await rejectionOf(requests.resolveSaga(undefined, 'x'.repeat(65), { note: ' ', operator: 'a\u0001b' }));
    expect(resolve.violations.map((v) => v.field)).toEqual(['Idempotency-Key', 'id', 'note', 'operator']);
    expect((await rejectionOf(requests.resolveSaga('k', 's', undefined))).violations).toEqual([{ field: 'note', message: 'is required' }]);
    expect((await rejectionOf(requests.retrySaga('k', 's', { force: true }))).violations.map((v) => v.field)).toEqual(['force']);
    expect((await rejectionOf(requests.reprocessDeadLetters('k', { limit: 0 }))).violations.map((v) => v.field)).toEqual(['limit']);
    expect((await rejectionOf(requests.deadLetters({ pageSize: 'x' }))).violations.map((v) => v.field)).toEqual(['pageSize']);
  });

  it('answers in the admin JSON and replays a mutation under its key', async () => {
    const { requests, saga, drivers } = setUp();
    const failed = await saga();
    const page = await requests.listSagas({ status: 'COMPENSATION_FAILED', olderThan: '0s' });
    expect(page.sagas).toEqual([]);
    const listed = await requests.listSagas({ status: 'COMPENSATION_FAILED' });
    expect(listed.sagas[0]).toMatchObject({ id: failed.sagaId, step: 'refund', attempts: 2, lastError: 'refused', nextAttemptAt: null });
    const shown = await requests.showSaga(failed.sagaId);
    expect(shown.history).toEqual([expect.objectContaining({ type: 'OrderPaymentRequested', reason: '', version: 2 })]);

    const resolved = await requests.resolveSaga('key-1', failed.sagaId, { note: 'settled' });
    expect(resolved.saga).toMatchObject({ status: 'RESOLVED' });
    expect(await requests.resolveSaga('key-1', failed.sagaId, { note: 'settled' })).toEqual(resolved);
    const reused = await rejectionOf(requests.resolveSaga('key-1', failed.sagaId, { note: 'other' }));
    expect(reused.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(reused.message).toMatch(/^this idempotency key was already used for AdminResolveSaga with another request/);

    drivers.deadLetter(3, 'too large');
    const requeued = await requests.reprocessDeadLetters('key-2', {});
    expect(requeued).toEqual({
      deadLetters: [{ id: '3', messageId: 'm-3', topic: 'oms.order.events', key: 'k', partition: 0, attempts: 10, lastError: 'too large', createdAt: '1970-01-01T00:00:00.000Z' }],
      remaining: 0,
    });
    expect(await requests.reprocessDeadLetters('key-2', {})).toEqual(requeued);
    expect(await requests.deadLetters({})).toEqual({ deadLetters: [], remaining: 0 });
  });
});

describe('AdminTokenGuard', () => {
  const contextWith = (authorization?: string) => {
    const headers: Record<string, string> = {};
    const reply = { header: (name: string, value: string) => (headers[name] = value) };
    const context = {
      switchToHttp: () => ({ getRequest: () => ({ headers: authorization === undefined ? {} : { authorization } }), getResponse: () => reply }),
    } as unknown as ExecutionContext;
    return { context, headers };
  };
  const guard = new AdminTokenGuard(testConfig({ OMS_ADMIN_TOKEN: TOKEN }));

  it('lets the admin token through', () => {
    expect(guard.canActivate(contextWith(`Bearer ${TOKEN}`).context)).toBe(true);
    expect(guard.canActivate(contextWith(`bearer  ${TOKEN}`).context)).toBe(true);
  });

  it('answers no bearer token with 401 and a challenge, another token with 403', () => {
    for (const header of [undefined, '', `Basic ${TOKEN}`, 'Bearer']) {
      const { context, headers } = contextWith(header);
      expect(() => guard.canActivate(context)).toThrow(UnauthorizedException);
      expect(headers['www-authenticate']).toBe('Bearer realm="oms-admin"');
    }
    for (const other of [`${TOKEN}x`, TOKEN.slice(1), 'x']) expect(() => guard.canActivate(contextWith(`Bearer ${other}`).context)).toThrow(ForbiddenException);
    expect(() => new AdminTokenGuard(testConfig()).canActivate(contextWith(`Bearer ${TOKEN}`).context)).toThrow(ForbiddenException);
  });
});
