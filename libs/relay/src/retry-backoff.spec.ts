import { retryDelay } from './retry-backoff';

describe('retryDelay', () => {
  it('doubles from the base and stays between half and all of the ceiling', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 100, 10_000, () => 0))).toEqual([50, 100, 200, 400]);
    expect([1, 2, 3, 4].map((n) => retryDelay(n, 100, 10_000, () => 0.999999))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, also for huge failure counts', () => {
    expect(retryDelay(50, 200, 30_000, () => 0.999999)).toBe(30_000);
    expect(retryDelay(1_000_000, 200, 30_000, () => 0)).toBe(15_000);
  });

  it('treats failure counts below one as the first retry', () => {
    expect(retryDelay(0, 100, 1_000, () => 0)).toBe(50);
  });
});
