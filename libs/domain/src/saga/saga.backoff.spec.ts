import { retryDelayMs } from './saga.backoff';
import { TEST_SAGA_POLICY as TEST_POLICY, failed, givenSaga, orderHistory, resumed, started } from '../testing';

const policy = { retryBaseMs: 100, retryMaxMs: 5_000 };

describe('retry backoff', () => {
  it('doubles with each attempt, half fixed and half spread by the jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0, policy))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0.5, policy))).toEqual([75, 150, 300, 600]);
  });

  it('stays below the exponential value for any jitter in [0, 1)', () => {
    for (const jitter of [0, 0.1, 0.5, 0.9, 0.999999]) {
      const delay = retryDelayMs(3, jitter, policy);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThan(400);
    }
  });

  it('is capped at retryMaxMs, also for huge attempt numbers', () => {
    for (const attempt of [7, 8, 20, 60, 10_000]) {
      expect(retryDelayMs(attempt, 0.999999, policy)).toBeLessThanOrEqual(5_000);
      expect(retryDelayMs(attempt, 0, policy)).toBe(2_500);
    }
  });

  it('caps the retry time the saga decider schedules', () => {
    let saga = givenSaga('fulfilment', 'saga-f-1', orderHistory('PAYMENT_REQUESTED', { sagaId: 'saga-f-1' }), {
      policy: { ...TEST_POLICY, maxAttempts: 50, stepDeadlineMs: 10_000_000 },
      jitter: 0.99,
    }).and(started());
    for (let i = 0; i < 30; i++) {
      saga = saga
        .when(failed('timeout'))
        .then({}, (decision, after) => {
          const wait = Date.parse(decision.nextAttemptAt ?? 'never') - Date.parse(after.now);
          expect(wait).toBeGreaterThan(0);
          expect(wait).toBeLessThanOrEqual(TEST_POLICY.retryMaxMs);
        })
        .and(resumed());
    }
  });
});
