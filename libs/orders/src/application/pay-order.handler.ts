import { Injectable } from '@nestjs/common';
import type { OrderStatusResponseJson } from '@oms/contracts';
import { IdGenerator } from '@oms/domain';
import { Violations, readFields } from '../validation/field-reader';
import { parseIdempotencyKey, parseOrderId } from '../validation/order-input.parser';
import { idempotencyKeyField, orderIdField, type MutationContext, type MutationResult } from './mutation-context';
import { OrderStatusChange } from './order-status-change';

/** PayOrder: starts the fulfilment saga under a new saga id. */
@Injectable()
export class PayOrderHandler {
  constructor(
    private readonly change: OrderStatusChange,
    private readonly ids: IdGenerator,
  ) {}

  async handle(context: MutationContext, rawOrderId: unknown, body: unknown): Promise<MutationResult<OrderStatusResponseJson>> {
    const violations = new Violations();
    const key = parseIdempotencyKey(context.idempotencyKey, idempotencyKeyField(context.transport), violations);
    const orderId = parseOrderId(rawOrderId, orderIdField(context.transport), violations);
    if (context.transport === 'rest') readFields(body, '', [], violations);
    violations.throwIfAny();
    const id = orderId as string;
    const sagaId = this.ids.newId();
    return this.change.run(context, key as string, 'PayOrder', id, { orderId: id }, () => ({ type: 'RequestPayment', data: { sagaId } }));
  }
}
