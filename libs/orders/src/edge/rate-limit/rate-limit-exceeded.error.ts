/** A client over its request budget; each transport answers it its own way (429 / RESOURCE_EXHAUSTED). */
export class RateLimitExceededError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`rate limit exceeded: retry after ${retryAfterSeconds} s`);
    this.name = 'RateLimitExceededError';
  }
}
