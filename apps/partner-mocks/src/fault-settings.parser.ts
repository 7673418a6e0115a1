import type { FaultSettings } from './mock-partners';
import type { FieldViolation, Parsed } from './partner-requests';

/** Upper bound of the scripted latency: long enough for any deadline test, short of a hang. */
export const MAX_LATENCY_MS = 600_000;

/** The body of `POST /faults`: `{ "latencyMs"?: integer 0..600000, "errorRate"?: number 0..1, "refuseRefunds"?: boolean }`. */
export function parseFaultSettings(body: unknown): Parsed<Partial<FaultSettings>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, violations: [{ field: '(body)', reason: 'must be a JSON object' }] };
  }
  const violations: FieldViolation[] = [];
  const change: { latencyMs?: number; errorRate?: number; refuseRefunds?: boolean } = {};
  for (const [field, value] of Object.entries(body)) {
    if (field === 'latencyMs') {
      if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_LATENCY_MS) change.latencyMs = value as number;
      else violations.push({ field, reason: `must be an integer from 0 to ${MAX_LATENCY_MS}` });
    } else if (field === 'errorRate') {
      if (typeof value === 'number' && value >= 0 && value <= 1) change.errorRate = value;
      else violations.push({ field, reason: 'must be a number from 0 to 1' });
    } else if (field === 'refuseRefunds') {
      if (typeof value === 'boolean') change.refuseRefunds = value;
      else violations.push({ field, reason: 'must be true or false' });
    } else {
      violations.push({ field, reason: 'is not a fault setting (latencyMs, errorRate, refuseRefunds)' });
    }
  }
  return violations.length === 0 ? { ok: true, value: change } : { ok: false, violations };
}
