import type { OrderLine } from './order.events';
import type { OrderStatus } from './order.status';

/** The state the order decider folds from the stream (see order.decider.ts for the rules). */
export interface OrderState {
  readonly exists: boolean;
  readonly orderId: string;
  readonly customerId: string;
  readonly currency: string;
  readonly items: readonly OrderLine[];
  readonly totalMinor: number;
  readonly status: OrderStatus;
  /** Number of events folded so far (= stream version). */
  readonly version: number;
  /** Lifecycle of the fulfilment saga started by RequestPayment. */
  readonly fulfilment: 'NONE' | 'IN_PROGRESS' | 'DONE';
  readonly fulfilmentSagaId?: string;
  /** Set while stock is held; cleared by OrderStockReleased. */
  readonly reservationId?: string;
  readonly paymentId?: string;
  readonly paidMinor: number;
  readonly refundedMinor: number;
  readonly pendingCancellation?: { readonly sagaId: string; readonly reason: string };
  readonly pendingRefund?: { readonly sagaId: string; readonly amountMinor: number; readonly reason: string };
  readonly compensationFailed: boolean;
  /** Set when the fulfilment saga failed (reservation or payment) and must finish the cancellation. */
  readonly fulfilmentFailure?: { readonly reason: string };
  /** The saga of the last cancellation request; kept after OrderCanceled so a late compensation failure is attributable. */
  readonly cancellationSagaId?: string;
}
