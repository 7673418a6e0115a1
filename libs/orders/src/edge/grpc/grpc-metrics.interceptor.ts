import { status } from '@grpc/grpc-js';
import { Injectable, Optional, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { OmsMetrics } from '@oms/observability';
import { tap, type Observable } from 'rxjs';
import { grpcCodeOf } from './grpc-errors';

interface GrpcCall {
  getPath(): string;
}

/**
 * oms_grpc_requests_total and oms_grpc_request_duration_seconds per full method name
 * (`/oms.v1.OrderService/CreateOrder`) and status name, the code a failure is answered with
 * (the one RpcErrorFilter sends).
 */
@Injectable()
export class GrpcMetricsInterceptor implements NestInterceptor {
  constructor(@Optional() private readonly metrics?: OmsMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const metrics = this.metrics;
    if (!metrics || context.getType() !== 'rpc') return next.handle();
    const method = context.getArgByIndex<GrpcCall>(2).getPath();
    const stop = metrics.grpcRequestDuration.startTimer();
    const record = (code: status): void => {
      const labels = { method, code: status[code] };
      stop(labels);
      metrics.grpcRequests.inc(labels);
    };
    return next.handle().pipe(tap({ next: () => record(status.OK), error: (error: unknown) => record(grpcCodeOf(error)) }));
  }
}
