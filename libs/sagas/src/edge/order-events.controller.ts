import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@oms/contracts';
import { SagaTriggers } from '../saga-triggers';
import { RethrowErrorsFilter } from './rethrow-errors.filter';

/**
 * The order events sagas react to, from `oms.order.events` (consumer group
 * OMS_SAGA_CONSUMER_GROUP) through BrokerTransport: OrderPaymentRequested starts a fulfilment
 * saga, OrderCancellationRequested wakes the saga it names or starts a cancellation saga,
 * OrderRefundRequested starts a refund saga. Any other event type is acknowledged unhandled.
 */
@Controller()
@UseFilters(RethrowErrorsFilter)
export class OrderEventsController {
  constructor(private readonly triggers: SagaTriggers) {}

  @EventPattern('OrderPaymentRequested')
  paymentRequested(@Payload() envelope: EventEnvelope): Promise<void> {
    return this.triggers.start('fulfilment', envelope);
  }

  @EventPattern('OrderCancellationRequested')
  cancellationRequested(@Payload() envelope: EventEnvelope): Promise<void> {
    return this.triggers.cancel(envelope);
  }

  @EventPattern('OrderRefundRequested')
  refundRequested(@Payload() envelope: EventEnvelope): Promise<void> {
    return this.triggers.start('refund', envelope);
  }
}
