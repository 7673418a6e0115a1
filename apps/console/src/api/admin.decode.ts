import type { AdminSagaDetailJson, AdminSagaHistoryEntryJson, PartnerCall, SagaDetail } from './admin.types';

/** The saga flattened for the pages: the row, its stored state and its history. */
export function sagaDetailOf(body: AdminSagaDetailJson): SagaDetail {
  return { ...body.saga, state: body.saga.state, history: body.history };
}

/** The order events that answer a partner call, by the step whose call they answer. */
const ANSWERS: Readonly<Record<string, string>> = {
  OrderStockReserved: 'reserve',
  OrderStockReservationFailed: 'reserve',
  OrderPaid: 'charge',
  OrderPaymentFailed: 'charge',
  OrderStockReleased: 'release',
  OrderRefunded: 'refund',
  OrderRefundFailed: 'refund',
};

/**
 * The saga's partner calls: each answered one from the event that recorded its answer, then the
 * call it waits on. A call's idempotency key is `<saga id>:<step>` (the partners see the same key on
 * every retry of that step, so a retried step never acts twice).
 */
export function partnerCallsOf(saga: SagaDetail): PartnerCall[] {
  const answered = saga.history
    .filter((entry: AdminSagaHistoryEntryJson) => ANSWERS[entry.type] !== undefined)
    .map((entry) => ({
      step: ANSWERS[entry.type],
      idempotencyKey: `${saga.id}:${ANSWERS[entry.type]}`,
      outcome: `answered: ${entry.type}`,
      at: entry.occurredAt,
      attempts: null,
      error: entry.type.endsWith('Failed') ? entry.reason || null : null,
    }));
  if (!saga.step) return answered;
  return [
    ...answered,
    {
      step: saga.step,
      idempotencyKey: `${saga.id}:${saga.step}`,
      outcome: saga.status === 'RUNNING' ? 'pending' : `not answered (${saga.status})`,
      at: null,
      attempts: saga.attempts,
      error: saga.lastError,
    },
  ];
}

/** Dead letters shown and left beyond them. */
export function deadLetterCount(body: { deadLetters: readonly unknown[]; remaining: number }): number {
  return body.deadLetters.length + body.remaining;
}
