import { Injectable } from '@nestjs/common';
import { toStatusName, type OrderStatusResponseJson } from '@oms/contracts';
import { OrderStreams, orderStreamId, type OrderCommand, type OrderState } from '@oms/domain';
import { IdempotentMutation, completionOf } from './idempotent-mutation';
import { eventMetadataOf, type MutationContext, type MutationResult } from './mutation-context';

/**
 * The shared tail of PayOrder, CancelOrder and RefundOrder: one command under the key's scope,
 * decided on the order as read, accepted with the order's status after it (the saga finishes
 * the work). `command` builds it from that order (and may refuse it with a DomainError).
 */
@Injectable()
export class OrderStatusChange {
  constructor(
    private readonly orders: OrderStreams,
    private readonly mutation: IdempotentMutation,
  ) {}

  run(
    context: MutationContext,
    key: string,
    operation: 'PayOrder' | 'CancelOrder' | 'RefundOrder',
    orderId: string,
    request: unknown,
    command: (order: OrderState) => OrderCommand,
  ): Promise<MutationResult<OrderStatusResponseJson>> {
    // The order is read with the claim (one round trip); a conflict's retry reads it afresh.
    return this.mutation.run({ key, scope: `${operation}:${orderId}`, request, readStream: orderStreamId(orderId) }, (claim) =>
      this.orders.write(
        orderId,
        (order) => {
          const changed = this.orders.decide(order, [command(order.state)], eventMetadataOf(context));
          const result: MutationResult<OrderStatusResponseJson> = {
            outcome: 'accepted',
            body: { orderId, status: toStatusName(changed.state.status) },
          };
          return { change: { ...changed.change, ...completionOf(claim, result) }, result };
        },
        claim.stream ? { history: claim.stream } : {},
      ),
    );
  }
}
