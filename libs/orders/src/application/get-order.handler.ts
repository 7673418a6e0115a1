import { Injectable } from '@nestjs/common';
import type { GetOrderResponseJson } from '@oms/contracts';
import { DomainError, OrderStreams } from '@oms/domain';
import { Violations } from '../validation/field-reader';
import { parseOrderId } from '../validation/order-input.parser';
import { orderIdField, type QueryContext } from './mutation-context';
import { toOrderJson, toTimeline } from './order.presenter';

/** GetOrder: the order as its stream says (authoritative) plus that stream as the timeline. */
@Injectable()
export class GetOrderHandler {
  constructor(private readonly orders: OrderStreams) {}

  async handle(context: QueryContext, rawOrderId: unknown): Promise<GetOrderResponseJson> {
    const violations = new Violations();
    const orderId = parseOrderId(rawOrderId, orderIdField(context.transport), violations);
    violations.throwIfAny();
    const found = await this.orders.load(orderId as string);
    if (!found.state.exists) throw new DomainError('ORDER_NOT_FOUND', `order ${orderId} not found`);
    return { order: toOrderJson(found.state), timeline: toTimeline(found.events) };
  }
}
