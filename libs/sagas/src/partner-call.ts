import { Logger } from '@nestjs/common';
import type { InventoryPort, PartnerCall, PartnerReply, PartnerResult, PaymentPort, SagaKind, SagaTrigger } from '@oms/domain';
import { SpanKind, failSpan, inSpan, type Span } from '@oms/observability';
import type { SagaMetrics, SagaStepResult } from './saga-metrics';
import { assertNeverCall } from './saga-never';

export class PartnerCallTimeoutError extends Error {
  constructor(step: string, timeoutMs: number) {
    super(`${step} call timed out after ${timeoutMs} ms`);
    this.name = 'PartnerCallTimeoutError';
  }
}

type Reply = PartnerResult<PartnerReply>;

function invoke(call: PartnerCall, inventory: InventoryPort, payment: PaymentPort): Promise<Reply> {
  switch (call.step) {
    case 'reserve':
      return inventory.reserve(call.request);
    case 'release':
      return inventory.release(call.request);
    case 'charge':
      return payment.charge(call.request);
    case 'refund':
      return payment.refund(call.request);
    default:
      return assertNeverCall(call);
  }
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PartnerCallTimeoutError(step, timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * Performs one partner call and turns its outcome into the saga's next input: a refusal is
 * CallRejected, any error or a timeout is CallFailed (the step may have happened; the saga
 * repeats it with the same idempotency key or undoes it).
 */
export async function performPartnerCall(
  call: PartnerCall,
  partners: { inventory: InventoryPort; payment: PaymentPort },
  timeoutMs: number,
): Promise<SagaTrigger> {
  try {
    const reply = await withTimeout(invoke(call, partners.inventory, partners.payment), timeoutMs, call.step);
    if (!reply.ok) return { type: 'CallRejected', call, reason: reply.reason || `${call.step} refused` };
    const result: PartnerReply = {
      ...(text(reply.reservationId) ? { reservationId: text(reply.reservationId) } : {}),
      ...(text(reply.paymentId) ? { paymentId: text(reply.paymentId) } : {}),
      ...(text(reply.refundId) ? { refundId: text(reply.refundId) } : {}),
    };
    return { type: 'CallSucceeded', call, result };
  } catch (error) {
    return { type: 'CallFailed', call, error: error instanceof Error ? error.message : String(error) };
  }
}

const SAGA_STEP_ATTRIBUTE = 'oms.saga.step';

/** A partner call a saga committed to, and whose it is. */
export interface SagaCall {
  readonly sagaId: string;
  readonly orderId: string;
  readonly kind: SagaKind;
  readonly call: PartnerCall;
}

/**
 * Makes the partner call a saga step committed to, in a client span, and reports it: the step
 * duration metric and one log line per call, logged inside the step's span (the logger adds
 * trace_id and span_id). Its outcome is the saga's next input.
 */
export class PartnerCaller {
  private readonly logger = new Logger('SagaRunner');

  constructor(
    private readonly partners: { readonly inventory: InventoryPort; readonly payment: PaymentPort },
    private readonly timeoutMs: number,
    private readonly metrics: SagaMetrics,
  ) {}

  async call({ sagaId, orderId, kind, call }: SagaCall, span: Span): Promise<SagaTrigger> {
    span.updateName(`saga ${kind} ${call.step}`);
    span.setAttribute(SAGA_STEP_ATTRIBUTE, call.step);
    const startedAt = Date.now();
    // At debug: where a call in flight shows before the saga that makes it is written (its first call).
    this.logger.debug({ msg: `saga ${sagaId} ${call.step} called`, saga_id: sagaId, order_id: orderId, saga_kind: kind, step: call.step });
    const partnerSpan = { kind: SpanKind.CLIENT, attributes: { [SAGA_STEP_ATTRIBUTE]: call.step } };
    const input = await inSpan(`partner ${call.step}`, partnerSpan, async (callSpan) => {
      const reply = await performPartnerCall(call, this.partners, this.timeoutMs);
      if (reply.type === 'CallFailed') failSpan(callSpan, new Error(reply.error));
      return reply;
    });
    const result: SagaStepResult = input.type === 'CallSucceeded' ? 'succeeded' : input.type === 'CallRejected' ? 'rejected' : 'failed';
    const durationMs = Date.now() - startedAt;
    this.metrics.stepFinished(call.step, result, durationMs);
    span.setAttribute('oms.saga.step_result', result);
    const detail = input.type === 'CallFailed' ? `: ${input.error}` : input.type === 'CallRejected' ? `: ${input.reason}` : '';
    const line = {
      msg: `saga ${sagaId} ${call.step} ${result}${detail}`,
      saga_id: sagaId,
      order_id: orderId,
      saga_kind: kind,
      step: call.step,
      result,
      duration_ms: durationMs,
    };
    // A step that went through is the normal case: at debug, so info carries no line per order.
    if (result === 'failed') this.logger.warn(line);
    else if (result === 'rejected') this.logger.log(line);
    else this.logger.debug(line);
    return input;
  }
}
