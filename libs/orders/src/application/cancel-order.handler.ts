import { Injectable } from '@nestjs/common';
import type { OrderStatusResponseJson } from '@oms/contracts';
import { IdGenerator } from '@oms/domain';
import { Violations } from '../validation/field-reader';
import { parseCancel, parseIdempotencyKey, parseOrderId } from '../validation/order-input.parser';
import { idempotencyKeyField, orderIdField, type MutationContext, type MutationResult } from './mutation-context';
import { OrderStatusChange } from './order-status-change';

/** Recorded when the client gives no reason, so the timeline never shows an empty one. */
export const DEFAULT_CANCEL_REASON = 'canceled by customer';

/** CancelOrder: starts the cancellation saga (release stock, refund what was paid). */
@Injectable()
export class CancelOrderHandler {
  constructor(
    private readonly change: OrderStatusChange,
    private readonly ids: IdGenerator,
  ) {}

  async handle(context: MutationContext, rawOrderId: unknown, body: unknown): Promise<MutationResult<OrderStatusResponseJson>> {
    const violations = new Violations();
    const key = parseIdempotencyKey(context.idempotencyKey, idempotencyKeyField(context.transport), violations);
    const orderId = parseOrderId(rawOrderId, orderIdField(context.transport), violations);
    const { reason } = parseCancel(body, violations);
    violations.throwIfAny();
    const id = orderId as string;
    const request = { orderId: id, reason: reason ?? DEFAULT_CANCEL_REASON };
    const sagaId = this.ids.newId();
    return this.change.run(context, key as string, 'CancelOrder', id, request, () => ({
      type: 'RequestCancellation',
      data: { sagaId, reason: request.reason },
    }));
  }
}
