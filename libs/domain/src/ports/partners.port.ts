import type { OrderLine } from '../order/order.events';

/**
 * Partner calls. A business refusal is a result (`ok: false`); anything transient
 * (timeout, unavailable) is thrown as PartnerUnavailableError and retried by the saga.
 * Every call carries an idempotency key (saga id + step) so a retry never acts twice.
 */
export type PartnerResult<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly reason: string };

export interface ReserveStock {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly items: readonly OrderLine[];
}
export interface ReleaseStock {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly reservationId: string;
}
export interface ChargePayment {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly amountMinor: number;
  readonly currency: string;
}
export interface RefundPayment {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly paymentId: string;
  readonly amountMinor: number;
  readonly currency: string;
}

export class PartnerUnavailableError extends Error {
  constructor(
    readonly partner: 'inventory' | 'payment',
    message: string,
  ) {
    super(message);
    this.name = 'PartnerUnavailableError';
  }
}

export abstract class InventoryPort {
  abstract reserve(request: ReserveStock): Promise<PartnerResult<{ reservationId: string }>>;
  abstract release(request: ReleaseStock): Promise<PartnerResult<object>>;
}

export abstract class PaymentPort {
  abstract charge(request: ChargePayment): Promise<PartnerResult<{ paymentId: string }>>;
  abstract refund(request: RefundPayment): Promise<PartnerResult<{ refundId: string }>>;
}
