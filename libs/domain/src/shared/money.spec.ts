import { addAmounts, lineTotal } from './money';

describe('money', () => {
  it('multiplies exactly within the safe range', () => {
    expect(lineTotal(1999, 3)).toBe(5997);
  });
  it('rejects a line total beyond 2^53 - 1 instead of rounding it', () => {
    expect(() => lineTotal(Number.MAX_SAFE_INTEGER, 2)).toThrow(/exceeds/);
  });
  it('rejects an overflowing sum', () => {
    expect(() => addAmounts(Number.MAX_SAFE_INTEGER, 1)).toThrow(/exceeds/);
  });
});
