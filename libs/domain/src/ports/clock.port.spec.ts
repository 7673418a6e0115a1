import { UuidV7IdGenerator } from './clock.port';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('UuidV7IdGenerator', () => {
  it('writes RFC 9562 version 7 ids whose first 48 bits are the millisecond they were made', () => {
    const before = Date.now();
    const id = new UuidV7IdGenerator().newId();
    const after = Date.now();

    expect(id).toMatch(UUID_V7);
    const millis = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });

  it('gives distinct ids in the right shape across many refills of its random pool', () => {
    const ids = new UuidV7IdGenerator();
    const made = Array.from({ length: 5_000 }, () => ids.newId());

    expect(made.filter((id) => !UUID_V7.test(id))).toEqual([]);
    expect(new Set(made).size).toBe(made.length);
    // Random parts differ from one id to the next (no pool slot handed out twice).
    expect(new Set(made.map((id) => id.slice(14))).size).toBe(made.length);
  });

  it('sorts by creation time across milliseconds', async () => {
    const ids = new UuidV7IdGenerator();
    const first = ids.newId();
    await new Promise((resolve) => setTimeout(resolve, 3));
    const second = ids.newId();

    expect([second, first].sort()).toEqual([first, second]);
  });

  it('draws random bytes once per 400 ids', () => {
    const draw = jest.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      const ids = new UuidV7IdGenerator();
      for (let i = 0; i < 801; i++) ids.newId();
      expect(draw).toHaveBeenCalledTimes(3);
    } finally {
      draw.mockRestore();
    }
  });
});
