import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { MockPartners } from './mock-partners';
import { answerPartnerCall } from './partner-call';
import { parsePay, parseRefund } from './partner-requests';

/** A request as proto-loader hands it over (snake_case, int64 as decimal strings). */
type WireRequest = Readonly<Record<string, unknown>>;

/** oms.partners.v1.PaymentService: Pay and Refund by the in-process payment's rules. */
@Controller()
export class PaymentGrpcController {
  constructor(private readonly partners: MockPartners) {}

  @GrpcMethod('PaymentService', 'Pay')
  pay(request: WireRequest): Promise<object> {
    return answerPartnerCall(this.partners, 'Pay', parsePay(request), (r) => this.partners.payment.charge(r), (result) => ({
      payment_id: result.paymentId,
    }));
  }

  @GrpcMethod('PaymentService', 'Refund')
  refund(request: WireRequest): Promise<object> {
    return answerPartnerCall(this.partners, 'Refund', parseRefund(request), (r) => this.partners.payment.refund(r), (result) => ({
      refund_id: result.refundId,
    }));
  }
}
