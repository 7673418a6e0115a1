import fc from 'fast-check';
import { ClientRateLimiter } from './client-rate.limiter';

/** A hand-driven monotonic clock: no real time passes in these tests. */
function manualClock(start = 1_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('ClientRateLimiter', () => {
  it('allows a burst, then refuses with the time until the next token', () => {
    const clock = manualClock();
    const limiter = new ClientRateLimiter({ requestsPerSecond: 2, burst: 3, now: clock.now });
    expect([1, 2, 3].map(() => limiter.take('10.0.0.1').allowed)).toEqual([true, true, true]);
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 500 });
    clock.advance(499);
    expect(limiter.take('10.0.0.1').allowed).toBe(false);
    clock.advance(1);
    expect(limiter.take('10.0.0.1')).toEqual({ allowed: true });
  });

  it('gives every client its own bucket', () => {
    const clock = manualClock();
    const limiter = new ClientRateLimiter({ requestsPerSecond: 1, burst: 1, now: clock.now });
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('never refills above the burst, however long a client was idle', () => {
    const clock = manualClock();
    const limiter = new ClientRateLimiter({ requestsPerSecond: 10, burst: 2, now: clock.now });
    limiter.take('a');
    clock.advance(3_600_000);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, false]);
  });

  it('forgets buckets that are full again, so idle clients cost no memory', () => {
    const clock = manualClock();
    const limiter = new ClientRateLimiter({ requestsPerSecond: 10, burst: 5, now: clock.now });
    for (let i = 0; i < 50; i++) limiter.take(`client-${i}`);
    expect(limiter.size).toBe(50);
    clock.advance(500); // 5 tokens at 10/s: every bucket is full again
    limiter.take('late');
    expect(limiter.size).toBe(1);
  });

  it('keeps at most maxClients buckets, dropping the least recently seen', () => {
    const clock = manualClock();
    const limiter = new ClientRateLimiter({ requestsPerSecond: 1, burst: 1, maxClients: 3, now: clock.now });
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    limiter.take('a'); // refused, but seen: 'b' is now the oldest
    limiter.take('d');
    expect(limiter.size).toBe(3);
    expect(limiter.take('a').allowed).toBe(false); // still tracked
    expect(limiter.take('b').allowed).toBe(true); // forgotten, so a fresh bucket
  });

  it('refuses bad settings', () => {
    expect(() => new ClientRateLimiter({ requestsPerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new ClientRateLimiter({ requestsPerSecond: 1, burst: 0 })).toThrow(RangeError);
  });

  it('over any window admits at most burst + rate x elapsed requests per client (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.integer({ min: 0, max: 400 })), { maxLength: 300 }),
        (rps, burst, requests) => {
          const clock = manualClock();
          const limiter = new ClientRateLimiter({ requestsPerSecond: rps, burst, maxClients: 10, now: clock.now });
          const admitted = new Map<string, number>();
          let elapsed = 0;
          for (const [key, gap] of requests) {
            clock.advance(gap);
            elapsed += gap;
            const decision = limiter.take(key);
            if (decision.allowed) admitted.set(key, (admitted.get(key) ?? 0) + 1);
            else expect(decision.retryAfterMs).toBeGreaterThan(0);
          }
          for (const count of admitted.values()) expect(count).toBeLessThanOrEqual(burst + Math.floor((rps * elapsed) / 1000));
        },
      ),
      { seed: 20_261_129 },
    );
  });
});
