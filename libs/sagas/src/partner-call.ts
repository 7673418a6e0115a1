import { assertNeverCall } from './saga-never';
import type { InventoryPort, PartnerCall, PartnerReply, PartnerResult, PaymentPort, SagaTrigger } from '@oms/domain';

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
