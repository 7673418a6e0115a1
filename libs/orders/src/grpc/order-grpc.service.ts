import { status, type Metadata, type ServerUnaryCall, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { OmsMetrics } from '@oms/observability';
import { IDEMPOTENCY_KEY_METADATA, ORDER_SERVICE_NAME } from '@oms/contracts';
import { isDomainError } from '@oms/domain';
import { CancelOrderHandler } from '../application/cancel-order.handler';
import { GetOrderHandler } from '../application/get-order.handler';
import { ListOrdersHandler } from '../application/list-orders.handler';
import type { MutationContext } from '../application/mutation-context';
import { PayOrderHandler } from '../application/pay-order.handler';
import { PlaceOrderHandler } from '../application/place-order.handler';
import { RefundOrderHandler } from '../application/refund-order.handler';
import { toGrpcError } from './grpc-errors';

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

/** oms.v1.OrderService over gRPC: translates calls to the same handlers the REST controller uses. */
@Injectable()
export class OrderGrpcService {
  private readonly logger = new Logger('GrpcErrors');

  constructor(
    private readonly placeOrder: PlaceOrderHandler,
    private readonly getOrder: GetOrderHandler,
    private readonly listOrders: ListOrdersHandler,
    private readonly payOrder: PayOrderHandler,
    private readonly cancelOrder: CancelOrderHandler,
    private readonly refundOrder: RefundOrderHandler,
    @Optional() private readonly metrics?: OmsMetrics,
  ) {}

  implementation(): UntypedServiceImplementation {
    return {
      CreateOrder: this.unary('CreateOrder', async ({ request, metadata }) => {
        return (await this.placeOrder.handle(mutationContext(metadata), request)).body;
      }),
      GetOrder: this.unary('GetOrder', ({ request }) => this.getOrder.handle({ transport: 'grpc' }, request['orderId'])),
      ListOrders: this.unary('ListOrders', ({ request }) => this.listOrders.handle(request)),
      PayOrder: this.unary('PayOrder', async ({ request, metadata }) => {
        return (await this.payOrder.handle(mutationContext(metadata), request['orderId'], undefined)).body;
      }),
      CancelOrder: this.unary('CancelOrder', async ({ request, metadata }) => {
        const body = { reason: request['reason'] };
        return (await this.cancelOrder.handle(mutationContext(metadata), request['orderId'], body)).body;
      }),
      RefundOrder: this.unary('RefundOrder', async ({ request, metadata }) => {
        const body = { amount: request['amount'], reason: request['reason'] };
        return (await this.refundOrder.handle(mutationContext(metadata), request['orderId'], body)).body;
      }),
    };
  }

  private unary(method: string, run: (call: ServerUnaryCall<Request, unknown>) => Promise<unknown>) {
    const fullName = `/${ORDER_SERVICE_NAME}/${method}`;
    return (call: ServerUnaryCall<Request, unknown>, callback: sendUnaryData<unknown>): void => {
      const stop = this.metrics?.grpcRequestDuration.startTimer({ method: fullName });
      const done = (code: status): void => {
        const labels = { method: fullName, code: status[code] ?? String(code) };
        stop?.(labels);
        this.metrics?.grpcRequests.inc(labels);
      };
      run(call).then(
        (response) => {
          done(status.OK);
          callback(null, response);
        },
        (error: unknown) => {
          if (!isDomainError(error)) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
          const grpcError = toGrpcError(error);
          done(grpcError.code);
          callback(grpcError);
        },
      );
    };
  }
}
