import { Injectable } from '@nestjs/common';
import type { CreateOrderResponseJson } from '@oms/contracts';
import { IdGenerator, OrderCommandBus } from '@oms/domain';
import { Violations } from '../validation/field-reader';
import { parseCreateOrder, parseIdempotencyKey, type CreateOrderInput } from '../validation/order-input.parser';
import { IdempotentMutation } from './idempotent-mutation';
import { eventMetadataOf, idempotencyKeyField, type MutationContext, type MutationResult } from './mutation-context';
import { toOrderJson } from './order.presenter';

/** CreateOrder: the server picks the order id; the answer (201 + order) is stored with the key. */
@Injectable()
export class PlaceOrderHandler {
  constructor(
    private readonly bus: OrderCommandBus,
    private readonly mutation: IdempotentMutation,
    private readonly ids: IdGenerator,
  ) {}

  async handle(context: MutationContext, body: unknown): Promise<MutationResult<CreateOrderResponseJson>> {
    const violations = new Violations();
    const key = parseIdempotencyKey(context.idempotencyKey, idempotencyKeyField(context.transport), violations);
    const input = parseCreateOrder(body, violations);
    violations.throwIfAny();
    const request = input as CreateOrderInput;
    return this.mutation.run({ key: key as string, scope: 'CreateOrder', request }, async (commitWith) => {
      const orderId = this.ids.newId();
      let response: MutationResult<CreateOrderResponseJson> | undefined;
      const result = await this.bus.execute(orderId, [{ type: 'PlaceOrder', data: { orderId, ...request } }], {
        metadata: eventMetadataOf(context),
        history: [], // the id was generated just now: nothing to read
        alsoCommit: (state) => {
          response = { status: 201, body: { order: toOrderJson(state) } };
          return commitWith(response);
        },
      });
      return response ?? { status: 201, body: { order: toOrderJson(result.state) } };
    });
  }
}
