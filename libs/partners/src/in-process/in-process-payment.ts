import { PaymentPort, type ChargePayment, type PartnerResult, type RefundPayment } from '@oms/domain';
import { PartnerFaults, type PartnerFaultOptions } from './partner-faults';

interface Charge {
  readonly paymentId: string;
  readonly orderId: string;
  readonly chargeKey: string;
  readonly amountMinor: number;
  refundedMinor: number;
}

export interface PaymentEffects {
  /** Charges actually taken (a repeated key does not count again). */
  readonly charges: number;
  readonly chargedMinor: number;
  /** Refunds actually paid out. */
  readonly refunds: number;
  readonly refundedMinor: number;
}

export interface InProcessPaymentOptions extends PartnerFaultOptions {
  /** Charges above this many minor units are declined (config.partners.paymentDeclineAboveMinor). */
  readonly declineAboveMinor: number;
  /**
   * A partner outage that answers every new refund with a refusal (partner-mocks' scriptable
   * fault). The refusal is not remembered under the key, so once it is off the same key refunds.
   */
  readonly refuseRefunds?: boolean;
}

/**
 * Payment inside the process, with deterministic rules (libs/partners/README.md):
 * - a charge above `declineAboveMinor` -> declined "amount above limit"; otherwise taken, id `pay-<n>`;
 * - a refund names the payment by its id, or by the idempotency key of the charge call (a saga
 *   that never learned the id); more than charged - refunded -> refused "refund exceeds the
 *   charge"; a refund of a payment never taken is a no-op success (nothing to give back), and
 *   when it names a charge key, a charge with that key arriving later is refused;
 * - the same idempotency key always gets the first result and never acts twice (a refusal of the
 *   `refuseRefunds` fault excepted: it is not a result, the partner was not ready);
 * - latency and transient errors per config.partners (see PartnerFaults).
 */
export class InProcessPayment extends PaymentPort {
  private readonly faults: PartnerFaults;
  private readonly charges = new Map<string, Charge>();
  private readonly chargeByKey = new Map<string, Charge>();
  private readonly replies = new Map<string, PartnerResult<{ paymentId: string }> | PartnerResult<{ refundId: string }>>();
  private readonly refundedBeforeCharge = new Set<string>();
  private chargeCount = 0;
  private chargedMinor = 0;
  private refundCount = 0;
  private refundedMinor = 0;

  constructor(private readonly options: InProcessPaymentOptions) {
    super();
    this.faults = new PartnerFaults(options);
  }

  async charge(request: ChargePayment): Promise<PartnerResult<{ paymentId: string }>> {
    return this.faults.around('payment', 'charge', () => {
      const previous = this.replies.get(`charge:${request.idempotencyKey}`);
      if (previous) return previous as PartnerResult<{ paymentId: string }>;
      let reply: PartnerResult<{ paymentId: string }>;
      if (this.refundedBeforeCharge.has(request.idempotencyKey)) {
        reply = { ok: false, reason: 'payment was refunded before it was taken' };
      } else if (request.amountMinor > this.options.declineAboveMinor) {
        reply = { ok: false, reason: 'amount above limit' };
      } else {
        const charge: Charge = {
          paymentId: `pay-${++this.chargeCount}`,
          orderId: request.orderId,
          chargeKey: request.idempotencyKey,
          amountMinor: request.amountMinor,
          refundedMinor: 0,
        };
        this.charges.set(charge.paymentId, charge);
        this.chargeByKey.set(charge.chargeKey, charge);
        this.chargedMinor += charge.amountMinor;
        reply = { ok: true, paymentId: charge.paymentId };
      }
      this.replies.set(`charge:${request.idempotencyKey}`, reply);
      return reply;
    });
  }

  async refund(request: RefundPayment): Promise<PartnerResult<{ refundId: string }>> {
    return this.faults.around('payment', 'refund', () => {
      const previous = this.replies.get(`refund:${request.idempotencyKey}`);
      if (previous) return previous as PartnerResult<{ refundId: string }>;
      if (this.options.refuseRefunds) return { ok: false, reason: 'refunds are refused by the payment provider' };
      const charge = this.charges.get(request.paymentId) ?? this.chargeByKey.get(request.paymentId);
      let reply: PartnerResult<{ refundId: string }>;
      if (!charge) {
        // Refunded by the charge key before that charge arrived (it was late): it must not be taken then.
        this.refundedBeforeCharge.add(request.paymentId);
        reply = { ok: true, refundId: `refund-none-${request.idempotencyKey}` };
      } else if (request.amountMinor > charge.amountMinor - charge.refundedMinor) {
        reply = { ok: false, reason: 'refund exceeds the charge' };
      } else {
        charge.refundedMinor += request.amountMinor;
        this.refundedMinor += request.amountMinor;
        reply = { ok: true, refundId: `ref-${++this.refundCount}` };
      }
      this.replies.set(`refund:${request.idempotencyKey}`, reply);
      return reply;
    });
  }

  /** Effects that really happened, so tests can prove nothing happened twice. */
  effects(): PaymentEffects {
    return { charges: this.chargeCount, chargedMinor: this.chargedMinor, refunds: this.refundCount, refundedMinor: this.refundedMinor };
  }

  /** Charged minus refunded for one order (tests). */
  balanceOf(orderId: string): number {
    return [...this.charges.values()].filter((c) => c.orderId === orderId).reduce((sum, c) => sum + c.amountMinor - c.refundedMinor, 0);
  }
}
