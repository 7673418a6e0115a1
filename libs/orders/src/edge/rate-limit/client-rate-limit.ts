import { Inject, Injectable } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { ClientRateLimiter, type RateDecision } from './client-rate.limiter';

const ALLOWED: RateDecision = { allowed: true };

/**
 * The per-client rate limit of the API (OMS_RATE_LIMIT_ENABLED / _RPS / _BURST), one budget
 * per client IP shared by REST and gRPC. Off by default: then every request is allowed.
 */
@Injectable()
export class ClientRateLimit {
  private readonly limiter?: ClientRateLimiter;

  constructor(@Inject(OMS_CONFIG) config: OmsConfig) {
    const { enabled, requestsPerSecond, burst } = config.rateLimit;
    if (enabled) this.limiter = new ClientRateLimiter({ requestsPerSecond, burst });
  }

  get enabled(): boolean {
    return this.limiter !== undefined;
  }

  take(clientKey: string): RateDecision {
    return this.limiter ? this.limiter.take(clientKey) : ALLOWED;
  }
}

/** Retry-After is whole seconds (RFC 9110); never 0, or clients would retry at once. */
export const retryAfterSeconds = (retryAfterMs: number): number => Math.max(1, Math.ceil(retryAfterMs / 1000));
