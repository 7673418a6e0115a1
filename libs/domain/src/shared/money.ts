import { isIso4217Currency } from './currency';
import { DomainError } from './domain-error';

/**
 * Amounts are integer minor units. JavaScript numbers are exact up to 2^53 - 1, so
 * every amount is checked to be a safe integer: anything larger is rejected loudly
 * instead of being rounded (the wire type is int64; see docs/adr/0002-money-as-safe-integers.md).
 */
export interface Money {
  readonly currency: string;
  readonly amountMinor: number;
}

export const MAX_AMOUNT_MINOR = Number.MAX_SAFE_INTEGER;
/** An active ISO 4217 code (see currency.ts), not merely three capital letters. */
export const isCurrencyCode = (value: string): boolean => isIso4217Currency(value);

export function isValidAmount(amountMinor: number): boolean {
  return Number.isSafeInteger(amountMinor) && amountMinor >= 0;
}

/** Multiplies and adds with a check after each step, so an overflowing total is an error, not a rounding. */
export function lineTotal(unitPriceMinor: number, qty: number): number {
  const total = unitPriceMinor * qty;
  if (!Number.isSafeInteger(total)) {
    throw new DomainError('AMOUNT_OUT_OF_RANGE', `line total ${unitPriceMinor} x ${qty} exceeds ${MAX_AMOUNT_MINOR}`);
  }
  return total;
}

export function addAmounts(a: number, b: number): number {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) {
    throw new DomainError('AMOUNT_OUT_OF_RANGE', `amount ${a} + ${b} exceeds ${MAX_AMOUNT_MINOR}`);
  }
  return sum;
}
