import { status, type sendUnaryData, type ServerUnaryCall, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { PartnerUnavailableError, type PartnerResult } from '@oms/domain';
import type { MockPartners, PartnerMethod } from './mock-partners';
import { describeViolations, parsePay, parseRefund, parseRelease, parseReserve, type Parsed } from './partner-requests';

type WireRequest = Readonly<Record<string, unknown>>;
type Handler = (call: ServerUnaryCall<WireRequest, object>, callback: sendUnaryData<object>) => void;

const logger = new Logger('PartnerServices');

/**
 * One unary method: parse -> the partner rule -> the reply. A refusal is `ok = false` with a
 * reason; a transient failure (injected error, FLAKY- stock) is UNAVAILABLE so the caller
 * retries with the same idempotency key; bad input is INVALID_ARGUMENT naming each field.
 */
function unary<TRequest, TResult extends object>(
  partners: MockPartners,
  method: PartnerMethod,
  parse: (wire: WireRequest) => Parsed<TRequest>,
  perform: (request: TRequest) => Promise<PartnerResult<TResult>>,
  toWire: (result: TResult) => object,
): Handler {
  return (call, callback) => {
    const parsed = parse(call.request);
    if (!parsed.ok) {
      partners.record(method, 'invalid');
      callback({ code: status.INVALID_ARGUMENT, details: describeViolations(parsed.violations) });
      return;
    }
    perform(parsed.value).then(
      (result) => {
        partners.record(method, result.ok ? 'ok' : 'refused');
        callback(null, result.ok ? { ok: true, ...toWire(result) } : { ok: false, reason: result.reason });
      },
      (error: unknown) => {
        if (error instanceof PartnerUnavailableError) {
          partners.record(method, 'unavailable');
          callback({ code: status.UNAVAILABLE, details: error.message });
          return;
        }
        logger.error(`${method} failed: ${error instanceof Error ? error.stack : String(error)}`);
        callback({ code: status.INTERNAL, details: `${method} failed` });
      },
    );
  };
}

export function inventoryService(partners: MockPartners): UntypedServiceImplementation {
  return {
    Reserve: unary(partners, 'Reserve', parseReserve, (r) => partners.inventory.reserve(r), (result) => ({
      reservation_id: result.reservationId,
    })),
    Release: unary(partners, 'Release', parseRelease, (r) => partners.inventory.release(r), () => ({})),
  };
}

export function paymentService(partners: MockPartners): UntypedServiceImplementation {
  return {
    Pay: unary(partners, 'Pay', parsePay, (r) => partners.payment.charge(r), (result) => ({
      payment_id: result.paymentId,
    })),
    Refund: unary(partners, 'Refund', parseRefund, (r) => partners.payment.refund(r), (result) => ({
      refund_id: result.refundId,
    })),
  };
}
