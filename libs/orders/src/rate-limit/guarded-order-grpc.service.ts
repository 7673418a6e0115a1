import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { OrderGrpcService } from '../grpc/order-grpc.service';
import { withMalformedMessageGuard } from '../validation/grpc-malformed-message';
import type { ClientRateLimit } from './client-rate-limit';
import { withGrpcRateLimit } from './grpc-rate-limit';

/**
 * OrderGrpcService as GrpcServerHost serves it: the per-client rate limit first (when on),
 * then undecodable requests answered INVALID_ARGUMENT, then the service. Only
 * `implementation()` is used by the host.
 */
export class GuardedOrderGrpcService {
  constructor(
    private readonly inner: OrderGrpcService,
    private readonly rateLimit: ClientRateLimit,
  ) {}

  implementation(): UntypedServiceImplementation {
    const guarded = withMalformedMessageGuard(this.inner.implementation());
    return this.rateLimit.enabled ? withGrpcRateLimit(guarded, this.rateLimit) : guarded;
  }
}
