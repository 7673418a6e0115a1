import { Injectable } from '@nestjs/common';
import type { CreateOrderResponseJson } from '@oms/contracts';
import { IdGenerator, OrderStreams } from '@oms/domain';
import { Violations } from '../validation/field-reader';
import { parseCreateOrder, parseIdempotencyKey, type CreateOrderInput } from '../validation/order-input.parser';
import { IdempotentMutation, completionOf } from './idempotent-mutation';
import { eventMetadataOf, idempotencyKeyField, type MutationContext, type MutationResult } from './mutation-context';
import { toOrderJson } from './order.presenter';

/** CreateOrder: the server picks the order id; the answer (created + order) is stored with the key. */
@Injectable()
export class PlaceOrderHandler {
  constructor(
    private readonly orders: OrderStreams,
    private readonly mutation: IdempotentMutation,
    private readonly ids: IdGenerator,
  ) {}

  async handle(context: MutationContext, body: unknown): Promise<MutationResult<CreateOrderResponseJson>> {
    const violations = new Violations();
    const key = parseIdempotencyKey(context.idempotencyKey, idempotencyKeyField(context.transport), violations);
    const input = parseCreateOrder(body, violations);
    violations.throwIfAny();
    const request = input as CreateOrderInput;
    return this.mutation.run({ key: key as string, scope: 'CreateOrder', request }, (claim) => {
      const orderId = this.ids.newId();
      const place = { type: 'PlaceOrder' as const, data: { orderId, ...request } };
      return this.orders.write(
        orderId,
        (order) => {
          const placed = this.orders.decide(order, [place], eventMetadataOf(context));
          const result: MutationResult<CreateOrderResponseJson> = { outcome: 'created', body: { order: toOrderJson(placed.state) } };
          return { change: { ...placed.change, ...completionOf(claim, result) }, result };
        },
        { history: [] }, // the id was generated just now: nothing to read
      );
    });
  }
}
