import { Injectable } from '@nestjs/common';
import { toStatusName, type OrderStatusResponseJson } from '@oms/contracts';
import { OrderCommandBus, type OrderCommand } from '@oms/domain';
import { IdempotentMutation } from './idempotent-mutation';
import { eventMetadataOf, type MutationContext, type MutationResult } from './mutation-context';

/**
 * The shared tail of PayOrder, CancelOrder and RefundOrder: one command under the key's
 * scope, answered 202 with the order's current status (the saga finishes the work).
 */
@Injectable()
export class OrderStatusChange {
  constructor(
    private readonly bus: OrderCommandBus,
    private readonly mutation: IdempotentMutation,
  ) {}

  run(
    context: MutationContext,
    key: string,
    operation: 'PayOrder' | 'CancelOrder' | 'RefundOrder',
    orderId: string,
    request: unknown,
    command: () => Promise<OrderCommand>,
  ): Promise<MutationResult<OrderStatusResponseJson>> {
    return this.mutation.run({ key, scope: `${operation}:${orderId}`, request }, async (commitWith) => {
      const decided = await command();
      let response: MutationResult<OrderStatusResponseJson> | undefined;
      const answer = (status: Parameters<typeof toStatusName>[0]): MutationResult<OrderStatusResponseJson> => ({
        status: 202,
        body: { orderId, status: toStatusName(status) },
      });
      const result = await this.bus.execute(orderId, [decided], {
        metadata: eventMetadataOf(context),
        alsoCommit: (state) => {
          response = answer(state.status);
          return commitWith(response);
        },
      });
      return response ?? answer(result.state.status);
    });
  }
}
