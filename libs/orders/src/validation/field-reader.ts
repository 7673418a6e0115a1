import { DomainError, type FieldViolation } from '@oms/domain';

/**
 * Collects every problem of one request so the answer names all invalid fields at once,
 * with public paths (`items[1].price.amountMinor`).
 */
export class Violations {
  private readonly list: FieldViolation[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  get any(): boolean {
    return this.list.length > 0;
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const fields = [...new Set(this.list.map((violation) => violation.field))].join(', ');
    throw new DomainError('VALIDATION_FAILED', `invalid request: ${fields}`, this.list);
  }
}

export const fieldPath = (parent: string, name: string): string => (parent ? `${parent}.${name}` : name);

const PLAIN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_ECHOED_NAME = 64;

/**
 * The path of a field the client sent under any name: plain names as `a.b`, others (empty,
 * spaces, quotes, control characters) JSON-quoted as `a["x y"]`, cut to a readable length.
 */
export function unknownFieldPath(parent: string, key: string): string {
  if (PLAIN_NAME.test(key) && key.length <= MAX_ECHOED_NAME) return fieldPath(parent, key);
  const shown = key.length > MAX_ECHOED_NAME ? `${key.slice(0, MAX_ECHOED_NAME)}…` : key;
  return `${parent || 'body'}[${JSON.stringify(shown)}]`;
}
const toCamel = (key: string): string => key.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());

// C0, DEL and C1 control characters: invisible in logs and UIs, never part of an id.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

export const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/**
 * Reads an object's fields by their lowerCamelCase names; snake_case is accepted as in the
 * proto3 JSON mapping. Unknown fields are violations (a typo must not be silently ignored).
 * Returns undefined (after recording why) when `raw` is not an object.
 */
export function readFields(
  raw: unknown,
  path: string,
  allowed: readonly string[],
  violations: Violations,
): Record<string, unknown> | undefined {
  if (isAbsent(raw)) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    violations.add(path || 'body', 'must be a JSON object');
    return undefined;
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const name = toCamel(key);
    if (!allowed.includes(name)) {
      violations.add(unknownFieldPath(path, key), `unknown field; expected ${allowed.join(', ')}`);
    } else if (Object.prototype.hasOwnProperty.call(fields, name)) {
      violations.add(fieldPath(path, name), 'given twice (camelCase and snake_case)');
    } else {
      fields[name] = value;
    }
  }
  return fields;
}

export interface StringRule {
  readonly required: boolean;
  readonly maxLength: number;
  /** Reject control characters (ids, SKUs). */
  readonly identifier?: boolean;
}

/** A string field; '' counts as absent (proto3 has no null string). Undefined when absent or invalid. */
export function readString(value: unknown, field: string, rule: StringRule, violations: Violations): string | undefined {
  if (isAbsent(value) || value === '') {
    if (rule.required) violations.add(field, 'is required');
    return undefined;
  }
  if (typeof value !== 'string') {
    violations.add(field, 'must be a string');
    return undefined;
  }
  if (value.length > rule.maxLength) {
    violations.add(field, `must be at most ${rule.maxLength} characters`);
    return undefined;
  }
  if (rule.identifier && CONTROL_CHARACTERS.test(value)) {
    violations.add(field, 'must not contain control characters');
    return undefined;
  }
  return value;
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * An int64 as proto3 JSON allows it: a decimal string or a JSON number. Values beyond
 * 2^53 - 1 are refused, never rounded (amounts are safe integers end to end).
 */
export function readInt64(value: unknown, field: string, min: number, violations: Violations): number | undefined {
  let parsed: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || !Number.isInteger(value)) {
      violations.add(field, 'must be a whole number');
      return undefined;
    }
    if (!Number.isSafeInteger(value)) {
      violations.add(field, `is out of range: at most ${Number.MAX_SAFE_INTEGER}`);
      return undefined;
    }
    parsed = value;
  } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const big = BigInt(value);
    if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) {
      violations.add(field, `is out of range: at most ${Number.MAX_SAFE_INTEGER}`);
      return undefined;
    }
    parsed = Number(big);
  } else {
    violations.add(field, 'must be a whole number (a decimal string or a JSON number)');
    return undefined;
  }
  if (parsed < min) {
    violations.add(field, `must be at least ${min}`);
    return undefined;
  }
  return parsed;
}

/** An int32 within [min, max]; numeric strings are accepted as in proto3 JSON. */
export function readInt32(value: unknown, field: string, min: number, max: number, violations: Violations): number | undefined {
  const number = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
    violations.add(field, `must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return number;
}
