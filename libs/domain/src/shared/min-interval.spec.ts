import { MinInterval } from './min-interval';

describe('MinInterval', () => {
  it('lets the first go at once and the next only an interval after the last started', async () => {
    const spacing = new MinInterval(200);
    expect(spacing.remaining()).toBe(0);
    spacing.started();
    const right = spacing.remaining();
    expect(right).toBeGreaterThan(150);
    expect(right).toBeLessThanOrEqual(200);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(spacing.remaining()).toBeLessThan(right);
  });

  it('never waits with an interval of 0', () => {
    const spacing = new MinInterval(0);
    spacing.started();
    expect(spacing.remaining()).toBe(0);
  });

  it('does not wait longer when the wall clock steps back', () => {
    const spacing = new MinInterval(1_000);
    spacing.started();
    const real = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(real - 5_000);
    try {
      expect(spacing.remaining()).toBeLessThanOrEqual(1_000);
    } finally {
      now.mockRestore();
    }
  });
});
