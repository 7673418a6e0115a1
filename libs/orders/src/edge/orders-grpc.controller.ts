import type { Metadata } from '@grpc/grpc-js';
import { Controller, UseFilters, UseGuards, UseInterceptors } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import {
  IDEMPOTENCY_KEY_METADATA,
  type CreateOrderResponseJson,
  type GetOrderResponseJson,
  type ListOrdersResponseJson,
  type OrderStatusResponseJson,
} from '@oms/contracts';
import { CancelOrderHandler } from '../application/cancel-order.handler';
import { GetOrderHandler } from '../application/get-order.handler';
import { ListOrdersHandler } from '../application/list-orders.handler';
import type { MutationContext } from '../application/mutation-context';
import { PayOrderHandler } from '../application/pay-order.handler';
import { PlaceOrderHandler } from '../application/place-order.handler';
import { RefundOrderHandler } from '../application/refund-order.handler';
import { GrpcMetricsInterceptor } from './grpc/grpc-metrics.interceptor';
import { grpcReplyOf } from './grpc/grpc-reply';
import { RpcErrorFilter } from './grpc/rpc-error.filter';
import { GrpcRateLimitGuard } from './rate-limit/grpc-rate-limit.guard';

/** A request message as proto-loader decodes it (lowerCamelCase, int64 as strings, enums by name). */
type Request = Record<string, unknown>;

/** Metadata values are lists; more than one key is passed on as a list so validation rejects it. */
function mutationContext(metadata: Metadata): MutationContext {
  const keys = metadata.get(IDEMPOTENCY_KEY_METADATA).map(String);
  const traceparent = metadata.get('traceparent')[0];
  return {
    transport: 'grpc',
    idempotencyKey: keys.length > 1 ? keys : keys[0],
    ...(typeof traceparent === 'string' ? { traceparent } : {}),
  };
}

/** oms.v1.OrderService over gRPC: translates a call to one handler call and back, nothing more. */
@Controller()
@UseGuards(GrpcRateLimitGuard)
@UseInterceptors(GrpcMetricsInterceptor)
@UseFilters(RpcErrorFilter)
export class OrdersGrpcController {
  constructor(
    private readonly placeOrder: PlaceOrderHandler,
    private readonly getOrder: GetOrderHandler,
    private readonly listOrders: ListOrdersHandler,
    private readonly payOrder: PayOrderHandler,
    private readonly cancelOrder: CancelOrderHandler,
    private readonly refundOrder: RefundOrderHandler,
  ) {}

  @GrpcMethod('OrderService', 'CreateOrder')
  async create(request: Request, metadata: Metadata): Promise<CreateOrderResponseJson> {
    return grpcReplyOf(await this.placeOrder.handle(mutationContext(metadata), request));
  }

  @GrpcMethod('OrderService', 'GetOrder')
  get(request: Request): Promise<GetOrderResponseJson> {
    return this.getOrder.handle({ transport: 'grpc' }, request['orderId']);
  }

  @GrpcMethod('OrderService', 'ListOrders')
  list(request: Request): Promise<ListOrdersResponseJson> {
    return this.listOrders.handle(request);
  }

  @GrpcMethod('OrderService', 'PayOrder')
  async pay(request: Request, metadata: Metadata): Promise<OrderStatusResponseJson> {
    return grpcReplyOf(await this.payOrder.handle(mutationContext(metadata), request['orderId'], undefined));
  }

  @GrpcMethod('OrderService', 'CancelOrder')
  async cancel(request: Request, metadata: Metadata): Promise<OrderStatusResponseJson> {
    const body = { reason: request['reason'] };
    return grpcReplyOf(await this.cancelOrder.handle(mutationContext(metadata), request['orderId'], body));
  }

  @GrpcMethod('OrderService', 'RefundOrder')
  async refund(request: Request, metadata: Metadata): Promise<OrderStatusResponseJson> {
    const body = { amount: request['amount'], reason: request['reason'] };
    return grpcReplyOf(await this.refundOrder.handle(mutationContext(metadata), request['orderId'], body));
  }
}
