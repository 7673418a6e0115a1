import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, ModuleRef } from '@nestjs/core';
import { CancelOrderHandler } from './application/cancel-order.handler';
import { GetOrderHandler } from './application/get-order.handler';
import { IdempotentMutation } from './application/idempotent-mutation';
import { ListOrdersHandler } from './application/list-orders.handler';
import { OrderStatusChange } from './application/order-status-change';
import { PayOrderHandler } from './application/pay-order.handler';
import { PlaceOrderHandler } from './application/place-order.handler';
import { RefundOrderHandler } from './application/refund-order.handler';
import { GrpcServerHost } from './grpc/grpc-server.host';
import { OrderGrpcService } from './grpc/order-grpc.service';
import { ApiDocsController } from './http/api-docs.controller';
import { OrdersController } from './http/orders.controller';
import { ProblemFilter } from './http/problem.filter';
import { RequestDeadlineHook } from './http/request-deadline.hook';
import { ClientRateLimit } from './rate-limit/client-rate-limit';
import { GuardedOrderGrpcService } from './rate-limit/guarded-order-grpc.service';
import { RestRateLimitHook } from './rate-limit/rest-rate-limit.hook';

export interface OrdersModuleOptions {
  /** REST controllers, /openapi.json, /docs and the problem+json filter (default true). */
  readonly http?: boolean;
  /** The gRPC server on config.grpc.addr, started on bootstrap (default true). */
  readonly grpc?: boolean;
}

const HANDLERS = [PlaceOrderHandler, GetOrderHandler, ListOrdersHandler, PayOrderHandler, CancelOrderHandler, RefundOrderHandler];

/** The gRPC service behind its edge guards: per-client rate limit (when on), malformed messages. */
const guardedGrpcService: Provider = {
  provide: OrderGrpcService,
  inject: [ModuleRef, ClientRateLimit],
  useFactory: async (moduleRef: ModuleRef, rateLimit: ClientRateLimit): Promise<OrderGrpcService> =>
    new GuardedOrderGrpcService(await moduleRef.create(OrderGrpcService), rateLimit) as unknown as OrderGrpcService,
};

/**
 * The order API: application handlers behind REST and gRPC.
 * The app must provide (globally): OMS_CONFIG (ConfigModule.forRoot), EventStore, UnitOfWork,
 * OrderProjection and IdempotencyStore (StorageModule.forRoot), and OrderStreams, Clock,
 * IdGenerator (OrderWriteModule.forRoot).
 */
@Module({})
export class OrdersModule {
  static forRoot(options: OrdersModuleOptions = {}): DynamicModule {
    const http = options.http ?? true;
    const grpc = options.grpc ?? true;
    const providers: Provider[] = [IdempotentMutation, OrderStatusChange, ClientRateLimit, ...HANDLERS];
    if (http) providers.push({ provide: APP_FILTER, useClass: ProblemFilter }, RestRateLimitHook, RequestDeadlineHook);
    if (grpc) providers.push(guardedGrpcService, GrpcServerHost);
    return {
      module: OrdersModule,
      controllers: http ? [OrdersController, ApiDocsController] : [],
      providers,
      exports: [...HANDLERS, ...(grpc ? [GrpcServerHost] : [])],
    };
  }
}
