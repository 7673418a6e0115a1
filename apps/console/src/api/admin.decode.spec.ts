import { decodeDeadLetterPage, decodeSaga, decodeSagaDetail, decodeSagaPage } from './admin.decode';

describe('admin API decoding', () => {
  it('reads a saga row, filling step, attempts and last error from its state when the row lacks them', () => {
    const saga = decodeSaga({
      sagaId: 's-1',
      orderId: 'o-1',
      kind: 'refund',
      status: 'COMPENSATION_FAILED',
      nextAttemptAt: null,
      state: { step: 'refund', attempts: '3', lastError: 'partner refused the refund' },
    });
    expect(saga).toEqual({
      id: 's-1',
      orderId: 'o-1',
      kind: 'refund',
      status: 'COMPENSATION_FAILED',
      step: 'refund',
      attempts: 3,
      lastError: 'partner refused the refund',
      nextAttemptAt: null,
      createdAt: null,
      updatedAt: null,
    });
  });

  it('reads a page of sagas and tolerates a body that is not one', () => {
    expect(decodeSagaPage({ sagas: [{ id: 'a' }, { id: 'b' }], nextPageToken: 't' })).toMatchObject({ sagas: [{ id: 'a' }, { id: 'b' }], nextPageToken: 't' });
    expect(decodeSagaPage(null)).toEqual({ sagas: [], nextPageToken: '' });
  });

  it('reads a saga with its step history, wrapped or not', () => {
    const body = {
      saga: {
        id: 's-2',
        orderId: 'o-2',
        kind: 'fulfilment',
        status: 'RUNNING',
        step: 'charge',
        attempts: 1,
        history: [{ at: '2026-01-01T00:00:00Z', step: 'reserve', outcome: 'succeeded', attempts: 1, idempotencyKey: 's-2:reserve' }],
        state: { step: 'charge' },
      },
    };
    const detail = decodeSagaDetail(body);
    expect(detail.history).toEqual([{ at: '2026-01-01T00:00:00Z', step: 'reserve', what: 'succeeded', attempts: 1, idempotencyKey: 's-2:reserve', error: null }]);
    expect(detail.state).toEqual({ step: 'charge' });
    expect(decodeSagaDetail(body.saga).id).toBe('s-2');
  });

  it('reads dead letters with their count, counting the list when no total is given', () => {
    expect(decodeDeadLetterPage({ deadLetters: [{ id: 7, topic: 'oms.order.events', aggregateId: 'o-3', attempts: 10, lastError: 'broker down' }] })).toEqual({
      total: 1,
      deadLetters: [{ id: '7', topic: 'oms.order.events', key: 'o-3', eventType: null, attempts: 10, lastError: 'broker down', at: null }],
    });
    expect(decodeDeadLetterPage({ total: '42', deadLetters: [] }).total).toBe(42);
  });
});
