/** What the limiter answers for one request. */
export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterMs: number };

export interface ClientRateLimiterOptions {
  /** Sustained requests per second per client (the refill rate). */
  readonly requestsPerSecond: number;
  /** Bucket size: requests a client may send at once after being idle. */
  readonly burst: number;
  /** Most clients tracked at once; beyond it the least recently seen bucket is dropped. */
  readonly maxClients?: number;
  /** Monotonic milliseconds; tests pass their own. Wall-clock jumps must not refill or drain buckets. */
  readonly now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export const DEFAULT_MAX_CLIENTS = 10_000;

/**
 * Token bucket per client key (an IP address). Memory stays bounded: a bucket idle long
 * enough to be full again is the same as no bucket, so such buckets are swept; and past
 * `maxClients` the least recently seen one is dropped (Map order = recency, as each take
 * re-inserts its key). Dropping a bucket can only be generous to that client, never unfair
 * to another.
 */
export class ClientRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly ratePerMs: number;
  private readonly burst: number;
  private readonly maxClients: number;
  private readonly now: () => number;
  /** Time after which an untouched bucket has refilled completely. */
  private readonly refillMs: number;
  private lastSweep: number;

  constructor(options: ClientRateLimiterOptions) {
    if (!(options.requestsPerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError('rate limit needs requestsPerSecond > 0 and burst >= 1');
    }
    this.ratePerMs = options.requestsPerSecond / 1000;
    this.burst = Math.floor(options.burst);
    this.maxClients = Math.max(1, options.maxClients ?? DEFAULT_MAX_CLIENTS);
    this.now = options.now ?? (() => performance.now());
    this.refillMs = this.burst / this.ratePerMs;
    this.lastSweep = this.now();
  }

  /** Number of clients currently tracked. */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket, or says how long until one is available. */
  take(key: string): RateDecision {
    const now = this.now();
    this.sweepIdle(now);
    const bucket = this.buckets.get(key);
    let tokens = this.burst;
    if (bucket) {
      tokens = Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.updatedAt) * this.ratePerMs);
      this.buckets.delete(key);
    }
    const allowed = tokens >= 1;
    if (allowed) tokens -= 1;
    this.buckets.set(key, { tokens, updatedAt: now });
    this.evictOverflow();
    return allowed ? { allowed: true } : { allowed: false, retryAfterMs: Math.ceil((1 - tokens) / this.ratePerMs) };
  }

  // At most once per refill period, walk the buckets from the least recently seen and drop
  // the full ones; the walk stops at the first bucket that is still refilling.
  private sweepIdle(now: number): void {
    if (now - this.lastSweep < this.refillMs) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt < this.refillMs) break;
      this.buckets.delete(key);
    }
  }

  private evictOverflow(): void {
    while (this.buckets.size > this.maxClients) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}
