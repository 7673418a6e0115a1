import { Module, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminRequests } from './admin/admin-requests.handler';
import { SagaOperations } from './admin/saga-operations';
import { CancelOrderHandler } from './application/cancel-order.handler';
import { GetOrderHandler } from './application/get-order.handler';
import { IdempotentMutation } from './application/idempotent-mutation';
import { ListOrdersHandler } from './application/list-orders.handler';
import { OrderStatusChange } from './application/order-status-change';
import { PayOrderHandler } from './application/pay-order.handler';
import { PlaceOrderHandler } from './application/place-order.handler';
import { RefundOrderHandler } from './application/refund-order.handler';
import { AdminController } from './edge/admin/admin.controller';
import { AdminTokenGuard } from './edge/admin/admin-token.guard';
import { ApiDocsController } from './edge/api-docs.controller';
import { ProblemFilter } from './edge/http/problem.filter';
import { RequestDeadlineHook } from './edge/http/request-deadline.hook';
import { OrdersGrpcController } from './edge/orders-grpc.controller';
import { OrdersController } from './edge/orders.controller';
import { ClientRateLimit } from './edge/rate-limit/client-rate-limit';
import { RestRateLimitHook } from './edge/rate-limit/rest-rate-limit.hook';

export interface OrdersModuleOptions {
  /** REST controllers, /openapi.json, /docs and the problem+json filter (default true). */
  readonly http?: boolean;
  /** The @GrpcMethod controller of oms.v1.OrderService (default true); the app serves it through GrpcServerModule. */
  readonly grpc?: boolean;
  /**
   * The admin REST API under /v1/admin (default false): the app turns it on when
   * OMS_ADMIN_TOKEN is set, so without a token its routes do not exist (404).
   */
  readonly admin?: boolean;
}

const HANDLERS = [PlaceOrderHandler, GetOrderHandler, ListOrdersHandler, PayOrderHandler, CancelOrderHandler, RefundOrderHandler];

/**
 * The order API: application handlers behind REST and gRPC controllers. The per-client rate
 * limit is one budget (ClientRateLimit) that both transports draw from.
 * The app must provide (globally): OMS_CONFIG (ConfigModule.forRoot), EventStore, UnitOfWork,
 * OrderProjection and IdempotencyStore (StorageModule.forRoot), and OrderStreams, Clock,
 * IdGenerator (OrderWriteModule.forRoot); for the admin API also SagaStore and Outbox
 * (StorageModule.forRoot); to serve gRPC, GrpcServerModule.forRoot with
 * orderServicePackageDefinition() and connectGrpcServer(app).
 */
@Module({})
export class OrdersModule {
  static forRoot(options: OrdersModuleOptions = {}): DynamicModule {
    const http = options.http ?? true;
    const grpc = options.grpc ?? true;
    const providers: Provider[] = [IdempotentMutation, OrderStatusChange, ClientRateLimit, ...HANDLERS];
    // Global, not per controller: unknown routes (404 / 405) answer problem+json too.
    if (http) providers.push({ provide: APP_FILTER, useClass: ProblemFilter }, RestRateLimitHook, RequestDeadlineHook);
    const admin = http && (options.admin ?? false);
    if (admin) providers.push(SagaOperations, AdminRequests, AdminTokenGuard);
    const controllers: Type[] = [
      ...(http ? [OrdersController, ApiDocsController] : []),
      ...(admin ? [AdminController] : []),
      ...(grpc ? [OrdersGrpcController] : []),
    ];
    return { module: OrdersModule, controllers, providers, exports: [...HANDLERS] };
  }
}
