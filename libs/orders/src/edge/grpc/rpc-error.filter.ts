import { Catch, Logger, type RpcExceptionFilter } from '@nestjs/common';
import { isDomainError } from '@oms/domain';
import { throwError, type Observable } from 'rxjs';
import { RateLimitExceededError } from '../rate-limit/rate-limit-exceeded.error';
import { toGrpcError, type GrpcError } from './grpc-errors';

/**
 * Every error of a @GrpcMethod handler leaves as a gRPC status (see toGrpcError): domain
 * errors with their code and trailers, rate limit, unavailable storage, and anything else
 * as INTERNAL that is logged here but never described to the client.
 */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('GrpcErrors');

  catch(exception: unknown): Observable<GrpcError> {
    if (!isDomainError(exception) && !(exception instanceof RateLimitExceededError)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const error = toGrpcError(exception);
    return throwError(() => error);
  }
}
