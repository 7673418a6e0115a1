import { Injectable, type CallHandler, type ExecutionContext, type INestApplication, type NestInterceptor } from '@nestjs/common';
import type { Observable } from 'rxjs';
import { OmsMetrics } from './oms-metrics';

interface RawResponse {
  statusCode: number;
  once(event: 'finish' | 'close', listener: () => void): unknown;
}

interface AnyRequest {
  method?: string;
  routeOptions?: { url?: string }; // Fastify
  route?: { path?: string }; // Express
}

/**
 * Counts and times every REST request by route template (not the raw URL, to bound label
 * cardinality). Measured when the response is written, so the status is the one the client
 * got, also when an exception filter produced it.
 */
@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: OmsMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<AnyRequest>();
    const reply = http.getResponse<{ raw?: RawResponse } & Partial<RawResponse>>();
    const raw = (reply.raw ?? reply) as RawResponse;
    const method = request.method ?? 'UNKNOWN';
    const route = request.routeOptions?.url ?? request.route?.path ?? 'unknown';
    const stop = this.metrics.httpRequestDuration.startTimer();
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      const labels = { method, route, status: String(raw.statusCode) };
      stop(labels);
      this.metrics.httpRequests.inc(labels);
    };
    raw.once('finish', record);
    raw.once('close', record);
    return next.handle();
  }
}

/**
 * Counts the REST requests of an HTTP app (call before init). Bound to the HTTP application
 * only: its connected microservices (gRPC, the broker transport) keep an application config of
 * their own, so their calls and messages do not run through an interceptor chain that records
 * nothing for them.
 */
export function recordHttpMetrics(app: INestApplication): void {
  app.useGlobalInterceptors(app.get(HttpMetricsInterceptor));
}
