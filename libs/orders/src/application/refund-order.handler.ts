import { Injectable } from '@nestjs/common';
import type { OrderStatusResponseJson } from '@oms/contracts';
import { DomainError, IdGenerator, type OrderCommand, type OrderState } from '@oms/domain';
import { Violations } from '../validation/field-reader';
import { parseIdempotencyKey, parseOrderId, parseRefund, type RefundInput } from '../validation/order-input.parser';
import { idempotencyKeyField, orderIdField, type MutationContext, type MutationResult } from './mutation-context';
import { OrderStatusChange } from './order-status-change';

export const DEFAULT_REFUND_REASON = 'refund requested by customer';

/** RefundOrder: full (no amount) or partial; the amount must be in the order currency. */
@Injectable()
export class RefundOrderHandler {
  constructor(
    private readonly change: OrderStatusChange,
    private readonly ids: IdGenerator,
  ) {}

  async handle(context: MutationContext, rawOrderId: unknown, body: unknown): Promise<MutationResult<OrderStatusResponseJson>> {
    const violations = new Violations();
    const key = parseIdempotencyKey(context.idempotencyKey, idempotencyKeyField(context.transport), violations);
    const orderId = parseOrderId(rawOrderId, orderIdField(context.transport), violations);
    const input = parseRefund(body, violations);
    violations.throwIfAny();
    const id = orderId as string;
    const refund = input as RefundInput;
    const request = { orderId: id, ...refund, reason: refund.reason || DEFAULT_REFUND_REASON };
    const sagaId = this.ids.newId();
    return this.change.run(context, key as string, 'RefundOrder', id, request, (order): OrderCommand => {
      if (request.currency !== undefined) checkCurrency(id, order, request.currency);
      return {
        type: 'RequestRefund',
        data: { sagaId, reason: request.reason, ...(request.amountMinor !== undefined ? { amountMinor: request.amountMinor } : {}) },
      };
    });
  }
}

/** The command carries minor units only, so the currency the client named is checked against the order's here. */
function checkCurrency(orderId: string, order: OrderState, currency: string): void {
  if (!order.exists) throw new DomainError('ORDER_NOT_FOUND', `order ${orderId} not found`);
  if (order.currency !== currency) {
    throw new DomainError('CURRENCY_MISMATCH', `the refund must be in the order currency ${order.currency}`, [
      { field: 'amount.currency', message: `must be the order currency ${order.currency}` },
    ]);
  }
}
