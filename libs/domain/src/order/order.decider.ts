/**
 * The Order decider: `decideOrder(command, state) -> events` and `evolveOrder(state, event)`.
 * Pure: no clock, no random, no I/O. Ids and time arrive on commands / event metadata.
 *
 * Rules (the first gate is ORDER_TRANSITIONS in order.transitions.ts; these are the finer ones).
 * "Saga mismatch" = ILLEGAL_TRANSITION: every saga command names its saga and the state says
 * which saga it expects.
 * - NEW: PlaceOrder -> OrderPlaced (PENDING). Input is checked field by field, all problems
 *   reported at once (VALIDATION_FAILED); a total beyond 2^53 - 1 -> AMOUNT_OUT_OF_RANGE.
 *   Any other command -> ORDER_NOT_FOUND. PlaceOrder on an existing order -> ORDER_ALREADY_EXISTS.
 * - RequestPayment: PENDING with fulfilment NONE -> OrderPaymentRequested{sagaId, total, currency}
 *   (fulfilment IN_PROGRESS); fulfilment already started -> ORDER_PAYMENT_ALREADY_REQUESTED;
 *   any other status -> ORDER_NOT_PAYABLE (CANCELED -> ORDER_ALREADY_CANCELED, see below).
 * - Fulfilment saga outcomes (saga = the fulfilment saga, fulfilment IN_PROGRESS):
 *   RecordStockReserved (PENDING) -> OrderStockReserved (RESERVED);
 *   RecordStockReservationFailed (PENDING) -> OrderStockReservationFailed + OrderCanceled{refundedMinor 0};
 *   RecordPayment (RESERVED, payment not failed) -> OrderPaid (PAID, paidMinor += amount);
 *   RecordPaymentFailed (RESERVED) -> OrderPaymentFailed (stays RESERVED; the saga releases the
 *   stock, then completes the cancellation);
 *   ConfirmOrder (PAID, or REFUNDED when a refund finished first; no cancellation pending, else
 *   ILLEGAL_TRANSITION) -> OrderConfirmed (CONFIRMED, or stays REFUNDED; fulfilment DONE).
 * - RecordStockReleased: stock held and the reservation id matches; saga = the pending
 *   cancellation's, or the fulfilment saga after a failure -> OrderStockReleased.
 * - RequestCancellation: CANCELED -> ORDER_ALREADY_CANCELED; cancellation already pending ->
 *   ORDER_NOT_CANCELLABLE; refund pending -> REFUND_IN_PROGRESS (its saga would race the
 *   cancellation's refund); PENDING with fulfilment NONE -> OrderCanceled directly;
 *   fulfilment IN_PROGRESS -> OrderCancellationRequested with the FULFILMENT saga's id (it
 *   compensates); otherwise, with money left to refund or stock held ->
 *   OrderCancellationRequested with the command's saga id (release + refund); nothing left ->
 *   ORDER_NOT_CANCELLABLE.
 * - CompleteCancellation: saga = the pending cancellation's, or the fulfilment saga after a
 *   failure -> OrderCanceled{reason, refundedMinor = refunded so far} (CANCELED).
 * - RequestRefund: PAID, CONFIRMED, REFUNDED only (else ORDER_NOT_REFUNDABLE; CANCELED ->
 *   ORDER_ALREADY_CANCELED); amount absent = all not yet refunded; amount <= 0 or not a safe
 *   integer -> VALIDATION_FAILED `amount.amountMinor`; refund or cancellation pending ->
 *   REFUND_IN_PROGRESS; nothing left -> ORDER_NOT_REFUNDABLE; amount > paid - refunded ->
 *   REFUND_EXCEEDS_PAID_AMOUNT -> OrderRefundRequested.
 * - RecordRefund: saga = the pending refund's or a cancelling one; amount <= paid - refunded ->
 *   OrderRefunded (a refund saga's makes the order REFUNDED; a cancellation's leaves the status
 *   until CompleteCancellation). RecordRefundFailed (refund saga) -> OrderRefundFailed.
 * - RecordCompensationFailed: saga = the fulfilment saga, a cancellation saga or the pending
 *   refund's, any status, CANCELED included -> OrderCompensationFailed (flag for operators;
 *   status unchanged).
 * - ResolveSaga (an operator, through the admin service, which checked that the saga is the
 *   order's): any phase after NEW -> OrderSagaResolved{resolvedBy, note, reason}; the pending
 *   refund or cancellation that saga held is dropped, a fulfilment it drove counts as DONE and
 *   the compensation flag is cleared, so the order takes new commands (a new cancel starts a
 *   fresh saga). The status stays as the saga left it. Empty resolvedBy / note -> VALIDATION_FAILED.
 * - CANCELED is terminal: client commands -> ORDER_ALREADY_CANCELED, saga commands ->
 *   ILLEGAL_TRANSITION (a saga acting on a finished order is a stale step or a bug).
 */
import { DomainError, type DomainErrorCode, type FieldViolation } from '../shared/domain-error';
import { addAmounts, lineTotal } from '../shared/money';
import type {
  CompleteCancellation,
  ConfirmOrder,
  OrderCommand,
  PlaceOrder,
  RecordCompensationFailed,
  RecordPayment,
  RecordPaymentFailed,
  RecordRefund,
  RecordRefundFailed,
  RecordStockReleased,
  RecordStockReservationFailed,
  RecordStockReserved,
  RequestCancellation,
  RequestPayment,
  RequestRefund,
  ResolveSaga,
} from './order.commands';
import { ORDER_EVENT_SCHEMA_VERSIONS, type OrderEvent, type OrderEventType } from './order.events';
import type { OrderState } from './order.state';
import { isAllowedIn, orderPhaseOf, rejectionFor } from './order.transitions';
import { validatePlaceOrder } from './order.validation';

export const initialOrderState = (): OrderState => ({
  exists: false,
  orderId: '',
  customerId: '',
  currency: '',
  items: [],
  totalMinor: 0,
  status: 'PENDING',
  version: 0,
  fulfilment: 'NONE',
  paidMinor: 0,
  refundedMinor: 0,
  compensationFailed: false,
});

type EventData<K extends OrderEventType> = Extract<OrderEvent, { type: K }>['data'];

/** An order event of the given type at its current schema version. */
export function orderEvent<K extends OrderEventType>(type: K, data: EventData<K>): Extract<OrderEvent, { type: K }> {
  return { type, schemaVersion: ORDER_EVENT_SCHEMA_VERSIONS[type], data } as Extract<OrderEvent, { type: K }>;
}

const assertNever = (value: never): never => {
  throw new Error(`unhandled ${JSON.stringify(value)}`);
};

const fail = (code: DomainErrorCode, message: string, violations: readonly FieldViolation[] = []): never => {
  throw new DomainError(code, message, violations);
};

const invalid = (field: string, message: string): never =>
  fail('VALIDATION_FAILED', `${field} ${message}`, [{ field, message }]);

const requireId = (field: string, value: unknown): void => {
  if (typeof value !== 'string' || value.length === 0) invalid(field, 'must not be empty');
};

const requireSaga = (sagaId: string, expected: readonly (string | undefined)[], what: string): void => {
  if (!expected.some((id) => id !== undefined && id === sagaId)) {
    fail('ILLEGAL_TRANSITION', `saga ${sagaId} may not ${what} on this order`);
  }
};

const refundable = (state: OrderState): number => state.paidMinor - state.refundedMinor;

/** The saga that may finish a cancellation: the pending one, else the fulfilment saga after its failure. */
const cancellingSagas = (state: OrderState): (string | undefined)[] => [
  state.pendingCancellation?.sagaId,
  state.fulfilment === 'IN_PROGRESS' && state.fulfilmentFailure ? state.fulfilmentSagaId : undefined,
];

export function decideOrder(command: OrderCommand, state: OrderState): OrderEvent[] {
  const phase = orderPhaseOf(state);
  if (!isAllowedIn(phase, command.type)) {
    const code = rejectionFor(phase, command.type);
    return fail(code, phase === 'NEW' ? `order does not exist (${command.type})` : `${command.type} is not allowed on a ${phase} order`);
  }
  switch (command.type) {
    case 'PlaceOrder':
      return placeOrder(command);
    case 'RequestPayment':
      return requestPayment(command, state);
    case 'RequestCancellation':
      return requestCancellation(command, state);
    case 'RequestRefund':
      return requestRefund(command, state);
    case 'RecordStockReserved':
      return recordStockReserved(command, state);
    case 'RecordStockReservationFailed':
      return recordStockReservationFailed(command, state);
    case 'RecordPayment':
      return recordPayment(command, state);
    case 'RecordPaymentFailed':
      return recordPaymentFailed(command, state);
    case 'RecordStockReleased':
      return recordStockReleased(command, state);
    case 'ConfirmOrder':
      return confirmOrder(command, state);
    case 'CompleteCancellation':
      return completeCancellation(command, state);
    case 'RecordRefund':
      return recordRefund(command, state);
    case 'RecordRefundFailed':
      return recordRefundFailed(command, state);
    case 'RecordCompensationFailed':
      return recordCompensationFailed(command, state);
    case 'ResolveSaga':
      return resolveSaga(command, state);
    default:
      return assertNever(command);
  }
}

function placeOrder({ data }: PlaceOrder): OrderEvent[] {
  const violations = validatePlaceOrder(data);
  if (violations.length > 0) {
    fail('VALIDATION_FAILED', `invalid order: ${violations.map((v) => `${v.field} ${v.message}`).join('; ')}`, violations);
  }
  // Copy the lines so no extra properties of the input end up in the stream.
  const items = data.items.map(({ sku, qty, unitPriceMinor }) => ({ sku, qty, unitPriceMinor }));
  const totalMinor = items.reduce((sum, line) => addAmounts(sum, lineTotal(line.unitPriceMinor, line.qty)), 0);
  return [
    orderEvent('OrderPlaced', {
      orderId: data.orderId,
      customerId: data.customerId,
      currency: data.currency,
      items,
      totalMinor,
    }),
  ];
}

function requestPayment({ data }: RequestPayment, state: OrderState): OrderEvent[] {
  requireId('sagaId', data.sagaId);
  if (state.fulfilment !== 'NONE') fail('ORDER_PAYMENT_ALREADY_REQUESTED', `payment of order ${state.orderId} was already requested`);
  return [
    orderEvent('OrderPaymentRequested', {
      orderId: state.orderId,
      sagaId: data.sagaId,
      amountMinor: state.totalMinor,
      currency: state.currency,
    }),
  ];
}

function requestCancellation({ data }: RequestCancellation, state: OrderState): OrderEvent[] {
  const { orderId } = state;
  if (state.pendingCancellation) fail('ORDER_NOT_CANCELLABLE', `a cancellation of order ${orderId} is already in progress`);
  if (state.pendingRefund) fail('REFUND_IN_PROGRESS', `order ${orderId} has a refund in progress; cancel after it ends`);
  if (state.status === 'PENDING' && state.fulfilment === 'NONE') {
    return [orderEvent('OrderCanceled', { orderId, reason: data.reason, refundedMinor: 0 })];
  }
  if (state.fulfilment === 'IN_PROGRESS' && state.fulfilmentSagaId !== undefined) {
    return [orderEvent('OrderCancellationRequested', { orderId, sagaId: state.fulfilmentSagaId, reason: data.reason })];
  }
  if (refundable(state) <= 0 && state.reservationId === undefined) {
    fail('ORDER_NOT_CANCELLABLE', `order ${orderId} holds no stock and nothing is left to refund`);
  }
  requireId('sagaId', data.sagaId);
  return [orderEvent('OrderCancellationRequested', { orderId, sagaId: data.sagaId, reason: data.reason })];
}

function requestRefund({ data }: RequestRefund, state: OrderState): OrderEvent[] {
  const { orderId } = state;
  const amount = data.amountMinor;
  if (amount !== undefined && (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount <= 0)) {
    invalid('amount.amountMinor', `must be a whole number of minor units from 1 to ${Number.MAX_SAFE_INTEGER}`);
  }
  requireId('sagaId', data.sagaId);
  if (state.pendingRefund || state.pendingCancellation) {
    fail('REFUND_IN_PROGRESS', `order ${orderId} already has a ${state.pendingRefund ? 'refund' : 'cancellation'} in progress`);
  }
  const left = refundable(state);
  if (left <= 0) fail('ORDER_NOT_REFUNDABLE', `nothing is left to refund on order ${orderId}`);
  const amountMinor = amount ?? left;
  if (amountMinor > left) {
    fail('REFUND_EXCEEDS_PAID_AMOUNT', `refund of ${amountMinor} exceeds the ${left} ${state.currency} paid and not yet refunded`);
  }
  return [orderEvent('OrderRefundRequested', { orderId, sagaId: data.sagaId, amountMinor, reason: data.reason })];
}

function requireFulfilmentSaga(sagaId: string, state: OrderState, what: string): void {
  requireSaga(sagaId, [state.fulfilment === 'IN_PROGRESS' ? state.fulfilmentSagaId : undefined], what);
}

function recordStockReserved({ data }: RecordStockReserved, state: OrderState): OrderEvent[] {
  requireFulfilmentSaga(data.sagaId, state, 'record a reservation');
  requireId('reservationId', data.reservationId);
  return [orderEvent('OrderStockReserved', { orderId: state.orderId, sagaId: data.sagaId, reservationId: data.reservationId })];
}

function recordStockReservationFailed({ data }: RecordStockReservationFailed, state: OrderState): OrderEvent[] {
  requireFulfilmentSaga(data.sagaId, state, 'record a failed reservation');
  const { orderId } = state;
  return [
    orderEvent('OrderStockReservationFailed', { orderId, sagaId: data.sagaId, reason: data.reason }),
    orderEvent('OrderCanceled', { orderId, reason: data.reason, refundedMinor: 0 }),
  ];
}

function recordPayment({ data }: RecordPayment, state: OrderState): OrderEvent[] {
  requireFulfilmentSaga(data.sagaId, state, 'record a payment');
  if (state.fulfilmentFailure) fail('ILLEGAL_TRANSITION', `the fulfilment of order ${state.orderId} already failed`);
  requireId('paymentId', data.paymentId);
  // Zero is a valid charge: an order of free items still goes through fulfilment.
  if (typeof data.amountMinor !== 'number' || !Number.isSafeInteger(data.amountMinor) || data.amountMinor < 0) {
    invalid('amountMinor', `must be a whole number of minor units from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  addAmounts(state.paidMinor, data.amountMinor);
  return [
    orderEvent('OrderPaid', { orderId: state.orderId, sagaId: data.sagaId, paymentId: data.paymentId, amountMinor: data.amountMinor }),
  ];
}

function recordPaymentFailed({ data }: RecordPaymentFailed, state: OrderState): OrderEvent[] {
  requireFulfilmentSaga(data.sagaId, state, 'record a failed payment');
  if (state.fulfilmentFailure) fail('ILLEGAL_TRANSITION', `the fulfilment of order ${state.orderId} already failed`);
  return [orderEvent('OrderPaymentFailed', { orderId: state.orderId, sagaId: data.sagaId, reason: data.reason })];
}

function recordStockReleased({ data }: RecordStockReleased, state: OrderState): OrderEvent[] {
  requireSaga(data.sagaId, cancellingSagas(state), 'release stock');
  if (state.reservationId === undefined) fail('ILLEGAL_TRANSITION', `order ${state.orderId} holds no stock`);
  if (data.reservationId !== state.reservationId) {
    fail('ILLEGAL_TRANSITION', `reservation ${data.reservationId} is not the one order ${state.orderId} holds`);
  }
  return [orderEvent('OrderStockReleased', { orderId: state.orderId, sagaId: data.sagaId, reservationId: data.reservationId })];
}

function confirmOrder({ data }: ConfirmOrder, state: OrderState): OrderEvent[] {
  if (state.pendingCancellation) fail('ILLEGAL_TRANSITION', `order ${state.orderId} is being canceled`);
  requireFulfilmentSaga(data.sagaId, state, 'confirm');
  return [orderEvent('OrderConfirmed', { orderId: state.orderId, sagaId: data.sagaId })];
}

function completeCancellation({ data }: CompleteCancellation, state: OrderState): OrderEvent[] {
  requireSaga(data.sagaId, cancellingSagas(state), 'complete a cancellation');
  const reason = data.reason || state.pendingCancellation?.reason || state.fulfilmentFailure?.reason || '';
  return [orderEvent('OrderCanceled', { orderId: state.orderId, reason, refundedMinor: state.refundedMinor })];
}

function recordRefund({ data }: RecordRefund, state: OrderState): OrderEvent[] {
  requireSaga(data.sagaId, [state.pendingRefund?.sagaId, ...cancellingSagas(state)], 'record a refund');
  requireId('refundId', data.refundId);
  if (typeof data.amountMinor !== 'number' || !Number.isSafeInteger(data.amountMinor) || data.amountMinor <= 0) {
    invalid('amountMinor', `must be a whole number of minor units from 1 to ${Number.MAX_SAFE_INTEGER}`);
  }
  if (data.amountMinor > refundable(state)) {
    fail('REFUND_EXCEEDS_PAID_AMOUNT', `refund of ${data.amountMinor} exceeds the ${refundable(state)} paid and not yet refunded`);
  }
  return [
    orderEvent('OrderRefunded', {
      orderId: state.orderId,
      sagaId: data.sagaId,
      refundId: data.refundId,
      amountMinor: data.amountMinor,
      reason: data.reason,
    }),
  ];
}

function recordRefundFailed({ data }: RecordRefundFailed, state: OrderState): OrderEvent[] {
  requireSaga(data.sagaId, [state.pendingRefund?.sagaId], 'record a failed refund');
  return [orderEvent('OrderRefundFailed', { orderId: state.orderId, sagaId: data.sagaId, reason: data.reason })];
}

function recordCompensationFailed({ data }: RecordCompensationFailed, state: OrderState): OrderEvent[] {
  requireSaga(
    data.sagaId,
    [state.fulfilmentSagaId, state.cancellationSagaId, state.pendingCancellation?.sagaId, state.pendingRefund?.sagaId],
    'record a failed compensation',
  );
  return [
    orderEvent('OrderCompensationFailed', { orderId: state.orderId, sagaId: data.sagaId, step: data.step, reason: data.reason }),
  ];
}

function resolveSaga({ data }: ResolveSaga, state: OrderState): OrderEvent[] {
  const violations: FieldViolation[] = [];
  for (const field of ['sagaId', 'resolvedBy', 'note'] as const) {
    if (typeof data[field] !== 'string' || data[field].trim().length === 0) violations.push({ field, message: 'must not be empty' });
  }
  if (violations.length > 0) fail('VALIDATION_FAILED', `invalid resolution: ${violations.map((v) => v.field).join(', ')}`, violations);
  const { sagaId, resolvedBy, note } = data;
  return [
    orderEvent('OrderSagaResolved', {
      orderId: state.orderId,
      sagaId,
      resolvedBy,
      note,
      reason: `saga ${sagaId} resolved by ${resolvedBy}: ${note}`,
    }),
  ];
}

/**
 * Decides several commands in turn, each on the state the previous ones left: the events of all
 * of them (in order) and the state after them. Throws the first command's DomainError.
 */
export function decideOrderCommands(commands: readonly OrderCommand[], state: OrderState): { state: OrderState; events: OrderEvent[] } {
  let current = state;
  const events: OrderEvent[] = [];
  for (const command of commands) {
    for (const event of decideOrder(command, current)) {
      current = evolveOrder(current, event);
      events.push(event);
    }
  }
  return { state: current, events };
}

export function evolveOrder(state: OrderState, event: OrderEvent): OrderState {
  const next = applyEvent(state, event);
  return { ...next, version: state.version + 1 };
}

function applyEvent(state: OrderState, event: OrderEvent): OrderState {
  switch (event.type) {
    case 'OrderPlaced': {
      const { orderId, customerId, currency, items, totalMinor } = event.data;
      return { ...state, exists: true, orderId, customerId, currency, items, totalMinor, status: 'PENDING' };
    }
    case 'OrderPaymentRequested':
      return { ...state, fulfilment: 'IN_PROGRESS', fulfilmentSagaId: event.data.sagaId };
    case 'OrderStockReserved':
      return { ...state, status: 'RESERVED', reservationId: event.data.reservationId };
    case 'OrderStockReservationFailed':
    case 'OrderPaymentFailed':
      return { ...state, fulfilmentFailure: { reason: event.data.reason } };
    case 'OrderPaid':
      return {
        ...state,
        status: 'PAID',
        paymentId: event.data.paymentId,
        paidMinor: state.paidMinor + event.data.amountMinor,
      };
    case 'OrderStockReleased':
      return { ...state, reservationId: undefined };
    case 'OrderConfirmed':
      return { ...state, status: state.status === 'REFUNDED' ? 'REFUNDED' : 'CONFIRMED', fulfilment: 'DONE' };
    case 'OrderCancellationRequested':
      return {
        ...state,
        pendingCancellation: { sagaId: event.data.sagaId, reason: event.data.reason },
        cancellationSagaId: event.data.sagaId,
      };
    case 'OrderCanceled':
      // refundedMinor stays the sum of OrderRefunded events; the event's copy is for readers of the stream.
      return {
        ...state,
        status: 'CANCELED',
        fulfilment: state.fulfilment === 'IN_PROGRESS' ? 'DONE' : state.fulfilment,
        pendingCancellation: undefined,
        pendingRefund: undefined,
      };
    case 'OrderRefundRequested': {
      const { sagaId, amountMinor, reason } = event.data;
      return { ...state, pendingRefund: { sagaId, amountMinor, reason } };
    }
    case 'OrderRefunded': {
      const refundedMinor = state.refundedMinor + event.data.amountMinor;
      if (state.pendingRefund?.sagaId === event.data.sagaId) {
        return { ...state, refundedMinor, status: 'REFUNDED', pendingRefund: undefined };
      }
      return { ...state, refundedMinor };
    }
    case 'OrderRefundFailed':
      return { ...state, pendingRefund: undefined };
    case 'OrderCompensationFailed':
      return { ...state, compensationFailed: true };
    case 'OrderSagaResolved': {
      const { sagaId } = event.data;
      const droveFulfilment = state.fulfilment === 'IN_PROGRESS' && state.fulfilmentSagaId === sagaId;
      return {
        ...state,
        compensationFailed: false,
        pendingRefund: state.pendingRefund?.sagaId === sagaId ? undefined : state.pendingRefund,
        pendingCancellation: state.pendingCancellation?.sagaId === sagaId ? undefined : state.pendingCancellation,
        fulfilment: droveFulfilment ? 'DONE' : state.fulfilment,
        fulfilmentFailure: droveFulfilment ? undefined : state.fulfilmentFailure,
      };
    }
    default:
      return assertNever(event);
  }
}
