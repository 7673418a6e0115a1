/** Exhaustiveness guard: the compiler refuses a switch that misses a case. */
export function assertNeverCall(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
