import { DomainError, type DomainErrorCode } from '../shared/domain-error';
import { aPlaceOrder, anOrderLine, orderHistory, stateOf, TEST_ORDER_ID, TEST_SAGA_ID } from '../testing';
import { decideOrder, orderEvent as e } from './order.decider';
import type { OrderCommand, OrderCommandType } from './order.commands';
import type { OrderEvent, OrderEventType } from './order.events';
import { ORDER_STATUSES } from './order.status';
import { ORDER_TRANSITIONS, orderPhaseOf, type OrderPhase } from './order.transitions';

/**
 * Walks the whole table: every (phase, command) pair in ORDER_TRANSITIONS succeeds for a valid
 * input, every pair outside it is rejected with the code written down here (by hand, so that
 * a change of the table or of the codes fails this test).
 */
const O = TEST_ORDER_ID;
const S = TEST_SAGA_ID;
const TOTAL = 2500;
const cmd = <C extends OrderCommand>(type: C['type'], data: C['data']): C => ({ type, data }) as C;

const ALL_COMMANDS: readonly OrderCommandType[] = [
  'PlaceOrder',
  'RequestPayment',
  'RequestCancellation',
  'RequestRefund',
  'RecordStockReserved',
  'RecordStockReservationFailed',
  'RecordPayment',
  'RecordPaymentFailed',
  'RecordStockReleased',
  'ConfirmOrder',
  'CompleteCancellation',
  'RecordRefund',
  'RecordRefundFailed',
  'RecordCompensationFailed',
  'ResolveSaga',
];
const PHASES: readonly OrderPhase[] = ['NEW', ...ORDER_STATUSES];

const sampleCommand: { [K in OrderCommandType]: Extract<OrderCommand, { type: K }> } = {
  PlaceOrder: aPlaceOrder(),
  RequestPayment: cmd('RequestPayment', { sagaId: 'saga-new' }),
  RequestCancellation: cmd('RequestCancellation', { sagaId: 'saga-cancel', reason: 'changed my mind' }),
  RequestRefund: cmd('RequestRefund', { sagaId: 'saga-refund', reason: 'damaged' }),
  RecordStockReserved: cmd('RecordStockReserved', { sagaId: S, reservationId: 'reservation-1' }),
  RecordStockReservationFailed: cmd('RecordStockReservationFailed', { sagaId: S, reason: 'out of stock' }),
  RecordPayment: cmd('RecordPayment', { sagaId: S, paymentId: 'payment-1', amountMinor: TOTAL }),
  RecordPaymentFailed: cmd('RecordPaymentFailed', { sagaId: S, reason: 'declined' }),
  RecordStockReleased: cmd('RecordStockReleased', { sagaId: S, reservationId: 'reservation-1' }),
  ConfirmOrder: cmd('ConfirmOrder', { sagaId: S }),
  CompleteCancellation: cmd('CompleteCancellation', { sagaId: S, reason: 'done' }),
  RecordRefund: cmd('RecordRefund', { sagaId: 'saga-refund', refundId: 'refund-9', amountMinor: 100, reason: 'damaged' }),
  RecordRefundFailed: cmd('RecordRefundFailed', { sagaId: 'saga-refund', reason: 'declined' }),
  RecordCompensationFailed: cmd('RecordCompensationFailed', { sagaId: S, step: 'release', reason: 'refused' }),
  ResolveSaga: cmd('ResolveSaga', { sagaId: S, resolvedBy: 'ops', note: 'refunded by hand' }),
};

const typical: { [P in OrderPhase]: OrderEvent[] } = {
  NEW: [],
  PENDING: orderHistory('PLACED'),
  RESERVED: orderHistory('RESERVED'),
  PAID: orderHistory('PAID'),
  CONFIRMED: orderHistory('CONFIRMED'),
  REFUNDED: orderHistory('REFUNDED'),
  CANCELED: orderHistory('CANCELED'),
};

const cancelRequested = (sagaId: string) => e('OrderCancellationRequested', { orderId: O, sagaId, reason: 'changed my mind' });
const refundRequested = (sagaId: string, amountMinor: number) => e('OrderRefundRequested', { orderId: O, sagaId, amountMinor, reason: 'damaged' });
const refunded = (sagaId: string, amountMinor: number) =>
  e('OrderRefunded', { orderId: O, sagaId, refundId: 'refund-1', amountMinor, reason: 'damaged' });
const partlyRefunded = [...orderHistory('CONFIRMED'), refundRequested('saga-r1', 1000), refunded('saga-r1', 1000)];
const paymentFailed = e('OrderPaymentFailed', { orderId: O, sagaId: S, reason: 'declined' });

interface Case {
  readonly given: OrderEvent[];
  readonly when: OrderCommand;
  /** Type of the first event the decision produces. */
  readonly first: OrderEventType;
}

/** One valid situation for every pair of the table. */
const accepted: { [P in OrderPhase]: Partial<Record<OrderCommandType, Case>> } = {
  NEW: {
    PlaceOrder: { given: [], when: aPlaceOrder(), first: 'OrderPlaced' },
  },
  PENDING: {
    RequestPayment: { given: orderHistory('PLACED'), when: sampleCommand.RequestPayment, first: 'OrderPaymentRequested' },
    RequestCancellation: { given: orderHistory('PLACED'), when: sampleCommand.RequestCancellation, first: 'OrderCanceled' },
    RecordStockReserved: { given: orderHistory('PAYMENT_REQUESTED'), when: sampleCommand.RecordStockReserved, first: 'OrderStockReserved' },
    RecordStockReservationFailed: {
      given: orderHistory('PAYMENT_REQUESTED'),
      when: sampleCommand.RecordStockReservationFailed,
      first: 'OrderStockReservationFailed',
    },
    CompleteCancellation: {
      given: [...orderHistory('PAYMENT_REQUESTED'), cancelRequested(S)],
      when: sampleCommand.CompleteCancellation,
      first: 'OrderCanceled',
    },
    RecordCompensationFailed: {
      given: [...orderHistory('PAYMENT_REQUESTED'), cancelRequested(S)],
      when: sampleCommand.RecordCompensationFailed,
      first: 'OrderCompensationFailed',
    },
  },
  RESERVED: {
    RequestCancellation: { given: orderHistory('RESERVED'), when: sampleCommand.RequestCancellation, first: 'OrderCancellationRequested' },
    RecordPayment: { given: orderHistory('RESERVED'), when: sampleCommand.RecordPayment, first: 'OrderPaid' },
    RecordPaymentFailed: { given: orderHistory('RESERVED'), when: sampleCommand.RecordPaymentFailed, first: 'OrderPaymentFailed' },
    RecordStockReleased: {
      given: [...orderHistory('RESERVED'), paymentFailed],
      when: sampleCommand.RecordStockReleased,
      first: 'OrderStockReleased',
    },
    CompleteCancellation: { given: [...orderHistory('RESERVED'), paymentFailed], when: sampleCommand.CompleteCancellation, first: 'OrderCanceled' },
    RecordCompensationFailed: {
      given: [...orderHistory('RESERVED'), paymentFailed],
      when: sampleCommand.RecordCompensationFailed,
      first: 'OrderCompensationFailed',
    },
  },
  PAID: {
    RequestCancellation: { given: orderHistory('PAID'), when: sampleCommand.RequestCancellation, first: 'OrderCancellationRequested' },
    RequestRefund: { given: orderHistory('PAID'), when: sampleCommand.RequestRefund, first: 'OrderRefundRequested' },
    ConfirmOrder: { given: orderHistory('PAID'), when: sampleCommand.ConfirmOrder, first: 'OrderConfirmed' },
    RecordStockReleased: { given: [...orderHistory('PAID'), cancelRequested(S)], when: sampleCommand.RecordStockReleased, first: 'OrderStockReleased' },
    CompleteCancellation: { given: [...orderHistory('PAID'), cancelRequested(S)], when: sampleCommand.CompleteCancellation, first: 'OrderCanceled' },
    RecordRefund: { given: [...orderHistory('PAID'), refundRequested('saga-refund', 100)], when: sampleCommand.RecordRefund, first: 'OrderRefunded' },
    RecordRefundFailed: {
      given: [...orderHistory('PAID'), refundRequested('saga-refund', 100)],
      when: sampleCommand.RecordRefundFailed,
      first: 'OrderRefundFailed',
    },
    RecordCompensationFailed: { given: orderHistory('PAID'), when: sampleCommand.RecordCompensationFailed, first: 'OrderCompensationFailed' },
  },
  CONFIRMED: {
    RequestCancellation: { given: orderHistory('CONFIRMED'), when: sampleCommand.RequestCancellation, first: 'OrderCancellationRequested' },
    RequestRefund: { given: orderHistory('CONFIRMED'), when: sampleCommand.RequestRefund, first: 'OrderRefundRequested' },
    RecordStockReleased: {
      given: [...orderHistory('CONFIRMED'), cancelRequested('saga-cancel')],
      when: { ...sampleCommand.RecordStockReleased, data: { sagaId: 'saga-cancel', reservationId: 'reservation-1' } },
      first: 'OrderStockReleased',
    },
    CompleteCancellation: {
      given: [...orderHistory('CONFIRMED'), cancelRequested('saga-cancel')],
      when: { ...sampleCommand.CompleteCancellation, data: { sagaId: 'saga-cancel', reason: 'done' } },
      first: 'OrderCanceled',
    },
    RecordRefund: {
      given: [...orderHistory('CONFIRMED'), refundRequested('saga-refund', 100)],
      when: sampleCommand.RecordRefund,
      first: 'OrderRefunded',
    },
    RecordRefundFailed: {
      given: [...orderHistory('CONFIRMED'), refundRequested('saga-refund', 100)],
      when: sampleCommand.RecordRefundFailed,
      first: 'OrderRefundFailed',
    },
    RecordCompensationFailed: {
      given: [...orderHistory('CONFIRMED'), cancelRequested('saga-cancel')],
      when: { ...sampleCommand.RecordCompensationFailed, data: { sagaId: 'saga-cancel', step: 'refund', reason: 'refused' } },
      first: 'OrderCompensationFailed',
    },
  },
  REFUNDED: {
    RequestCancellation: { given: partlyRefunded, when: sampleCommand.RequestCancellation, first: 'OrderCancellationRequested' },
    RequestRefund: { given: partlyRefunded, when: sampleCommand.RequestRefund, first: 'OrderRefundRequested' },
    ConfirmOrder: {
      given: [...orderHistory('PAID'), refundRequested('saga-refund', TOTAL), refunded('saga-refund', TOTAL)],
      when: sampleCommand.ConfirmOrder,
      first: 'OrderConfirmed',
    },
    RecordStockReleased: {
      given: [...partlyRefunded, cancelRequested('saga-cancel')],
      when: { ...sampleCommand.RecordStockReleased, data: { sagaId: 'saga-cancel', reservationId: 'reservation-1' } },
      first: 'OrderStockReleased',
    },
    CompleteCancellation: {
      given: [...partlyRefunded, cancelRequested('saga-cancel')],
      when: { ...sampleCommand.CompleteCancellation, data: { sagaId: 'saga-cancel', reason: 'done' } },
      first: 'OrderCanceled',
    },
    RecordRefund: {
      given: [...partlyRefunded, cancelRequested('saga-cancel')],
      when: { ...sampleCommand.RecordRefund, data: { sagaId: 'saga-cancel', refundId: 'refund-2', amountMinor: TOTAL - 1000, reason: 'r' } },
      first: 'OrderRefunded',
    },
    RecordRefundFailed: {
      given: [...partlyRefunded, refundRequested('saga-refund', 100)],
      when: sampleCommand.RecordRefundFailed,
      first: 'OrderRefundFailed',
    },
    RecordCompensationFailed: { given: partlyRefunded, when: sampleCommand.RecordCompensationFailed, first: 'OrderCompensationFailed' },
  },
  CANCELED: {
    RecordCompensationFailed: {
      given: [...orderHistory('CONFIRMED'), cancelRequested('saga-cancel'), e('OrderCanceled', { orderId: O, reason: 'r', refundedMinor: 0 })],
      when: { ...sampleCommand.RecordCompensationFailed, data: { sagaId: 'saga-cancel', step: 'refund', reason: 'refused' } },
      first: 'OrderCompensationFailed',
    },
  },
};

// An operator may close a saga in every phase after NEW, on the order as it typically is there.
for (const phase of ORDER_STATUSES) {
  accepted[phase].ResolveSaga = { given: typical[phase], when: sampleCommand.ResolveSaga, first: 'OrderSagaResolved' };
}

const CLIENT = { RequestPayment: 'ORDER_NOT_PAYABLE', RequestRefund: 'ORDER_NOT_REFUNDABLE' } as const;

/** The code for every pair outside the table. */
const rejected: { [P in OrderPhase]: Partial<Record<OrderCommandType, DomainErrorCode>> } = {
  NEW: {
    RequestPayment: 'ORDER_NOT_FOUND',
    RequestCancellation: 'ORDER_NOT_FOUND',
    RequestRefund: 'ORDER_NOT_FOUND',
    RecordStockReserved: 'ORDER_NOT_FOUND',
    RecordStockReservationFailed: 'ORDER_NOT_FOUND',
    RecordPayment: 'ORDER_NOT_FOUND',
    RecordPaymentFailed: 'ORDER_NOT_FOUND',
    RecordStockReleased: 'ORDER_NOT_FOUND',
    ConfirmOrder: 'ORDER_NOT_FOUND',
    CompleteCancellation: 'ORDER_NOT_FOUND',
    RecordRefund: 'ORDER_NOT_FOUND',
    RecordRefundFailed: 'ORDER_NOT_FOUND',
    RecordCompensationFailed: 'ORDER_NOT_FOUND',
    ResolveSaga: 'ORDER_NOT_FOUND',
  },
  PENDING: {
    PlaceOrder: 'ORDER_ALREADY_EXISTS',
    RequestRefund: CLIENT.RequestRefund,
    RecordPayment: 'ILLEGAL_TRANSITION',
    RecordPaymentFailed: 'ILLEGAL_TRANSITION',
    RecordStockReleased: 'ILLEGAL_TRANSITION',
    ConfirmOrder: 'ILLEGAL_TRANSITION',
    RecordRefund: 'ILLEGAL_TRANSITION',
    RecordRefundFailed: 'ILLEGAL_TRANSITION',
  },
  RESERVED: {
    PlaceOrder: 'ORDER_ALREADY_EXISTS',
    RequestPayment: CLIENT.RequestPayment,
    RequestRefund: CLIENT.RequestRefund,
    RecordStockReserved: 'ILLEGAL_TRANSITION',
    RecordStockReservationFailed: 'ILLEGAL_TRANSITION',
    ConfirmOrder: 'ILLEGAL_TRANSITION',
    RecordRefund: 'ILLEGAL_TRANSITION',
    RecordRefundFailed: 'ILLEGAL_TRANSITION',
  },
  PAID: {
    PlaceOrder: 'ORDER_ALREADY_EXISTS',
    RequestPayment: CLIENT.RequestPayment,
    RecordStockReserved: 'ILLEGAL_TRANSITION',
    RecordStockReservationFailed: 'ILLEGAL_TRANSITION',
    RecordPayment: 'ILLEGAL_TRANSITION',
    RecordPaymentFailed: 'ILLEGAL_TRANSITION',
  },
  CONFIRMED: {
    PlaceOrder: 'ORDER_ALREADY_EXISTS',
    RequestPayment: CLIENT.RequestPayment,
    RecordStockReserved: 'ILLEGAL_TRANSITION',
    RecordStockReservationFailed: 'ILLEGAL_TRANSITION',
    RecordPayment: 'ILLEGAL_TRANSITION',
    RecordPaymentFailed: 'ILLEGAL_TRANSITION',
    ConfirmOrder: 'ILLEGAL_TRANSITION',
  },
  REFUNDED: {
    PlaceOrder: 'ORDER_ALREADY_EXISTS',
    RequestPayment: CLIENT.RequestPayment,
    RecordStockReserved: 'ILLEGAL_TRANSITION',
    RecordStockReservationFailed: 'ILLEGAL_TRANSITION',
    RecordPayment: 'ILLEGAL_TRANSITION',
    RecordPaymentFailed: 'ILLEGAL_TRANSITION',
  },
  CANCELED: {
    PlaceOrder: 'ORDER_ALREADY_EXISTS',
    RequestPayment: 'ORDER_ALREADY_CANCELED',
    RequestCancellation: 'ORDER_ALREADY_CANCELED',
    RequestRefund: 'ORDER_ALREADY_CANCELED',
    RecordStockReserved: 'ILLEGAL_TRANSITION',
    RecordStockReservationFailed: 'ILLEGAL_TRANSITION',
    RecordPayment: 'ILLEGAL_TRANSITION',
    RecordPaymentFailed: 'ILLEGAL_TRANSITION',
    RecordStockReleased: 'ILLEGAL_TRANSITION',
    ConfirmOrder: 'ILLEGAL_TRANSITION',
    CompleteCancellation: 'ILLEGAL_TRANSITION',
    RecordRefund: 'ILLEGAL_TRANSITION',
    RecordRefundFailed: 'ILLEGAL_TRANSITION',
  },
};

const codeOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return 'accepted';
};

describe('ORDER_TRANSITIONS', () => {
  it.each(PHASES)('%s: the accepted and rejected lists split every command exactly once', (phase) => {
    const acceptedHere = Object.keys(accepted[phase]).sort();
    const rejectedHere = Object.keys(rejected[phase]).sort();
    expect(acceptedHere).toEqual([...ORDER_TRANSITIONS[phase]].sort());
    expect([...acceptedHere, ...rejectedHere].sort()).toEqual([...ALL_COMMANDS].sort());
  });

  it('has no duplicates in a row', () => {
    for (const phase of PHASES) expect(new Set(ORDER_TRANSITIONS[phase]).size).toBe(ORDER_TRANSITIONS[phase].length);
  });

  const acceptedPairs = PHASES.flatMap((phase) =>
    Object.entries(accepted[phase]).map(([command, scenario]) => [phase, command, scenario as Case] as const),
  );
  it.each(acceptedPairs)('%s + %s succeeds', (phase, _command, scenario) => {
    const state = stateOf(...scenario.given);
    expect(orderPhaseOf(state)).toBe(phase);
    const events = decideOrder(scenario.when, state);
    expect(events.length).toBeGreaterThan(0);
    expect(events[0].type).toBe(scenario.first);
  });

  const rejectedPairs = PHASES.flatMap((phase) =>
    Object.entries(rejected[phase]).map(([command, code]) => [phase, command as OrderCommandType, code] as const),
  );
  it.each(rejectedPairs)('%s + %s -> %s', (phase, command, code) => {
    const state = stateOf(...typical[phase]);
    expect(orderPhaseOf(state)).toBe(phase);
    expect(codeOf(() => decideOrder(sampleCommand[command], state))).toBe(code);
  });

  it('rejects outside the table even when every finer rule would pass', () => {
    // A PENDING order in fulfilment, asked for a refund: the table, not the amounts, decides.
    const state = stateOf(...orderHistory('PAYMENT_REQUESTED', { items: [anOrderLine()] }));
    expect(codeOf(() => decideOrder(sampleCommand.RequestRefund, state))).toBe('ORDER_NOT_REFUNDABLE');
  });
});
