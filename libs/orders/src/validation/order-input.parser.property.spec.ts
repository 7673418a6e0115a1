import { isDomainError } from '@oms/domain';
import fc from 'fast-check';
import { Violations, unknownFieldPath } from './field-reader';
import { parseCancel, parseCreateOrder, parseIdempotencyKey, parseListOrders, parseOrderId, parseRefund } from './order-input.parser';
import { propertySettings } from '@oms/testing';

// Test knobs, not service config (docs/reliability.md): a fixed seed unless told otherwise.
const SEED = propertySettings().seed;
const RUNS = propertySettings().runs * 5; // pure and fast: five times the API suites' runs

/** Runs a parser the way a handler does: either a value or VALIDATION_FAILED naming fields, nothing else. */
function outcomeOf(parse: (violations: Violations) => unknown): 'ok' | 'invalid' {
  const violations = new Violations();
  const value = parse(violations);
  try {
    violations.throwIfAny();
  } catch (error) {
    if (!isDomainError(error) || error.code !== 'VALIDATION_FAILED') throw error;
    expect(error.violations.length).toBeGreaterThan(0);
    for (const violation of error.violations) expect(violation.field).toMatch(/\S/);
    return 'invalid';
  }
  expect(value).toBeDefined();
  return 'ok';
}

describe('edge parsers on arbitrary input (property)', () => {
  const anything = fc.oneof(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 4 }));

  it('never throw anything but a validation error, and never accept without a value', () => {
    fc.assert(
      fc.property(anything, anything, (body, key) => {
        outcomeOf((violations) => parseCreateOrder(body, violations));
        outcomeOf((violations) => parseRefund(body, violations) ?? {});
        outcomeOf((violations) => parseCancel(body, violations));
        outcomeOf((violations) => parseListOrders(body, violations) ?? {});
        outcomeOf((violations) => parseOrderId(key, 'id', violations) ?? '');
        outcomeOf((violations) => parseIdempotencyKey(key, 'Idempotency-Key', violations) ?? '');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('name unknown fields readably whatever the client called them', () => {
    expect(unknownFieldPath('', 'colour')).toBe('colour');
    expect(unknownFieldPath('items[0]', 'size')).toBe('items[0].size');
    expect(unknownFieldPath('', '')).toBe('body[""]');
    expect(unknownFieldPath('items[1].price', 'a b"c')).toBe('items[1].price["a b\\"c"]');
    expect(unknownFieldPath('', 'x'.repeat(100))).toBe(`body["${'x'.repeat(64)}…"]`);
  });
});
