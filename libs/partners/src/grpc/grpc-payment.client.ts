import type { OnApplicationShutdown } from '@nestjs/common';
import { PaymentPort, type ChargePayment, type PartnerResult, type RefundPayment } from '@oms/domain';
import { GrpcPartnerChannel } from './grpc-partner.channel';
import type { GrpcPartnerClientOptions } from './grpc-partner.options';

/** oms.partners.v1 wire shapes (field names as in payment.proto). */
interface PayResponse {
  readonly ok: boolean;
  readonly payment_id: string;
  readonly reason: string;
}
interface RefundResponse {
  readonly ok: boolean;
  readonly refund_id: string;
  readonly reason: string;
}

/**
 * PaymentPort over gRPC (oms.partners.v1.PaymentService). Amounts travel as int64 decimal
 * strings. Each call has a deadline of `callTimeoutMs`; transient gRPC failures are thrown as
 * PartnerUnavailableError, a decline (`ok = false`) is returned as `{ ok: false, reason }`.
 */
export class GrpcPaymentClient extends PaymentPort implements OnApplicationShutdown {
  private readonly channel: GrpcPartnerChannel;

  constructor(options: GrpcPartnerClientOptions) {
    super();
    this.channel = new GrpcPartnerChannel('payment', options);
  }

  async charge(request: ChargePayment): Promise<PartnerResult<{ paymentId: string }>> {
    const reply = await this.channel.call<PayResponse>('Pay', request.idempotencyKey, {
      idempotency_key: request.idempotencyKey,
      order_id: request.orderId,
      amount_minor: String(request.amountMinor),
      currency: request.currency,
    });
    return reply.ok ? { ok: true, paymentId: reply.payment_id } : { ok: false, reason: reply.reason || 'payment declined' };
  }

  async refund(request: RefundPayment): Promise<PartnerResult<{ refundId: string }>> {
    const reply = await this.channel.call<RefundResponse>('Refund', request.idempotencyKey, {
      idempotency_key: request.idempotencyKey,
      order_id: request.orderId,
      payment_id: request.paymentId,
      amount_minor: String(request.amountMinor),
      currency: request.currency,
    });
    return reply.ok ? { ok: true, refundId: reply.refund_id } : { ok: false, reason: reply.reason || 'refund refused by payment' };
  }

  /** Closes the channel (once; later calls are no-ops); calls still running fail as transient. */
  close(): void {
    this.channel.close();
  }

  onApplicationShutdown(): void {
    this.close();
  }
}
