/**
 * Delay before retry number `failures` (1 = first retry): exponential from `baseMs`, capped
 * at `capMs`, with "equal jitter" — half fixed, half random — so replicas that failed
 * together spread out while the delay still grows.
 */
export function retryDelay(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const ceiling = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
