import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { clientKeyOfGrpcPeer } from './client-key';
import { ClientRateLimit, retryAfterSeconds } from './client-rate-limit';
import { RateLimitExceededError } from './rate-limit-exceeded.error';

interface GrpcCall {
  getPeer(): string;
}

/**
 * The per-client rate limit of gRPC: one token of the peer IP's budget per call, the same
 * budget REST draws from (RestRateLimitHook). Over it, RpcErrorFilter answers
 * RESOURCE_EXHAUSTED with `retry-after`.
 */
@Injectable()
export class GrpcRateLimitGuard implements CanActivate {
  constructor(private readonly rateLimit: ClientRateLimit) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.rateLimit.enabled || context.getType() !== 'rpc') return true;
    const decision = this.rateLimit.take(clientKeyOfGrpcPeer(context.getArgByIndex<GrpcCall>(2).getPeer()));
    if (!decision.allowed) throw new RateLimitExceededError(retryAfterSeconds(decision.retryAfterMs));
    return true;
  }
}
