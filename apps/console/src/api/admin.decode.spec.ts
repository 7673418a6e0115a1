import type { AdminSagaDetailJson } from '@oms/contracts';
import { deadLetterCount, partnerCallsOf, sagaDetailOf } from './admin.decode';

const detail = (overrides: Partial<AdminSagaDetailJson['saga']>, history: AdminSagaDetailJson['history']): AdminSagaDetailJson => ({
  saga: {
    id: 's-1',
    orderId: 'o-1',
    kind: 'fulfilment',
    status: 'RUNNING',
    step: null,
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:01Z',
    deadlineAt: null,
    version: 3,
    state: { step: null },
    ...overrides,
  },
  history,
});

describe('admin API: what the console makes of it', () => {
  it('lists answered partner calls from the events that recorded their answers, keyed <saga>:<step>', () => {
    const saga = sagaDetailOf(
      detail({ status: 'COMPLETED' }, [
        { type: 'OrderPaymentRequested', reason: '', occurredAt: '2026-01-01T00:00:00Z', version: 2 },
        { type: 'OrderStockReserved', reason: '', occurredAt: '2026-01-01T00:00:01Z', version: 3 },
        { type: 'OrderPaymentFailed', reason: 'declined', occurredAt: '2026-01-01T00:00:02Z', version: 4 },
        { type: 'OrderStockReleased', reason: '', occurredAt: '2026-01-01T00:00:03Z', version: 5 },
      ]),
    );
    expect(partnerCallsOf(saga)).toEqual([
      { step: 'reserve', idempotencyKey: 's-1:reserve', outcome: 'answered: OrderStockReserved', at: '2026-01-01T00:00:01Z', attempts: null, error: null },
      { step: 'charge', idempotencyKey: 's-1:charge', outcome: 'answered: OrderPaymentFailed', at: '2026-01-01T00:00:02Z', attempts: null, error: 'declined' },
      { step: 'release', idempotencyKey: 's-1:release', outcome: 'answered: OrderStockReleased', at: '2026-01-01T00:00:03Z', attempts: null, error: null },
    ]);
  });

  it('adds the call the saga waits on, with its attempts and last error', () => {
    const running = sagaDetailOf(detail({ kind: 'refund', step: 'refund', attempts: 4, lastError: 'partner unavailable' }, []));
    expect(partnerCallsOf(running)).toEqual([
      { step: 'refund', idempotencyKey: 's-1:refund', outcome: 'pending', at: null, attempts: 4, error: 'partner unavailable' },
    ]);
    const failed = sagaDetailOf(detail({ status: 'COMPENSATION_FAILED', step: 'refund', attempts: 1, lastError: 'refund refused' }, []));
    expect(partnerCallsOf(failed)[0].outcome).toBe('not answered (COMPENSATION_FAILED)');
  });

  it('flattens the detail body: the saga row, its state and history', () => {
    const saga = sagaDetailOf(detail({ state: { step: 'charge' } }, []));
    expect(saga).toMatchObject({ id: 's-1', orderId: 'o-1', state: { step: 'charge' }, history: [] });
  });

  it('counts the dead letters listed and those left beyond them', () => {
    expect(deadLetterCount({ deadLetters: [{}, {}], remaining: 40 })).toBe(42);
    expect(deadLetterCount({ deadLetters: [], remaining: 0 })).toBe(0);
  });
});
