import { ADMIN_LIMITS, API_LIMITS, SAGA_STATUS_ENUM } from '@oms/contracts';
import type { SagaStatus } from '@oms/domain';
import { Violations, isAbsent, readFields, readInt32, readString } from '../validation/field-reader';
import type { SagaListRequest, SagaResolution } from './saga-operations';

/** Edge validation of the admin API: every problem of a request reported at once, fields by their public names. */
const ID = { required: true, maxLength: API_LIMITS.idMaxLength, identifier: true } as const;
const MAX_PAGE_TOKEN_LENGTH = 1024;
const DEFAULT_OPERATOR = 'admin-api';

const DURATION = /^(\d{1,9})(ms|s|m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m`, `2h`, `30s`, `1d`, `500ms` in milliseconds; undefined (recorded) when it is not one. */
export function parseAge(raw: unknown, field: string, violations: Violations): number | undefined {
  const match = typeof raw === 'string' ? DURATION.exec(raw) : null;
  if (!match) {
    violations.add(field, 'must be a duration: a whole number with ms, s, m, h or d, e.g. 15m');
    return undefined;
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}

export function parseSagaStatus(raw: unknown, field: string, violations: Violations): SagaStatus | undefined {
  if (typeof raw === 'string' && (SAGA_STATUS_ENUM as readonly string[]).includes(raw)) return raw as SagaStatus;
  violations.add(field, `must be one of ${SAGA_STATUS_ENUM.join(', ')}`);
  return undefined;
}

export function parseSagaId(raw: unknown, violations: Violations): string | undefined {
  return readString(raw, 'id', ID, violations);
}

export function parseSagaListQuery(raw: unknown, violations: Violations): SagaListRequest | undefined {
  const fields = readFields(raw, '', ['status', 'olderThan', 'pageSize', 'pageToken', 'orderId'], violations);
  if (!fields) return undefined;
  const orderId = isAbsent(fields['orderId']) || fields['orderId'] === '' ? undefined : readString(fields['orderId'], 'orderId', ID, violations);
  const status = isAbsent(fields['status']) || fields['status'] === '' ? undefined : parseSagaStatus(fields['status'], 'status', violations);
  const olderThanMs = isAbsent(fields['olderThan']) || fields['olderThan'] === '' ? undefined : parseAge(fields['olderThan'], 'olderThan', violations);
  const rawSize = fields['pageSize'];
  const pageSize =
    isAbsent(rawSize) || rawSize === '' || rawSize === '0'
      ? ADMIN_LIMITS.defaultPageSize
      : readInt32(rawSize, 'pageSize', 1, ADMIN_LIMITS.maxPageSize, violations);
  const pageToken = readString(fields['pageToken'], 'pageToken', { required: false, maxLength: MAX_PAGE_TOKEN_LENGTH }, violations);
  if (violations.any || pageSize === undefined) return undefined;
  return {
    pageSize,
    ...(status === undefined ? {} : { status }),
    ...(olderThanMs === undefined ? {} : { olderThanMs }),
    ...(pageToken === undefined ? {} : { pageToken }),
    ...(orderId === undefined ? {} : { orderId }),
  };
}

/** The body of resolve: a note (required) and who resolves (default admin-api). */
export function parseResolution(raw: unknown, violations: Violations): SagaResolution | undefined {
  if (isAbsent(raw)) {
    violations.add('note', 'is required');
    return undefined;
  }
  const fields = readFields(raw, '', ['note', 'operator'], violations);
  if (!fields) return undefined;
  const note = readString(fields['note'], 'note', { required: true, maxLength: ADMIN_LIMITS.noteMaxLength }, violations);
  if (note !== undefined && note.trim() === '') violations.add('note', 'must not be blank');
  const operator = readString(fields['operator'], 'operator', { required: false, maxLength: ADMIN_LIMITS.operatorMaxLength, identifier: true }, violations);
  if (violations.any || note === undefined) return undefined;
  return { note, resolvedBy: operator?.trim() || DEFAULT_OPERATOR };
}

/** `limit` of a dead-letter request (query pageSize or body limit), with its default. */
export function parseDeadLetterLimit(raw: unknown, field: string, violations: Violations): number | undefined {
  if (isAbsent(raw) || raw === '') return ADMIN_LIMITS.defaultDeadLetterLimit;
  return readInt32(raw, field, 1, ADMIN_LIMITS.maxDeadLetterLimit, violations);
}

export function parseDeadLetterQuery(raw: unknown, violations: Violations): number | undefined {
  const fields = readFields(raw, '', ['pageSize'], violations);
  return fields ? parseDeadLetterLimit(fields['pageSize'], 'pageSize', violations) : undefined;
}

export function parseReprocessBody(raw: unknown, violations: Violations): number | undefined {
  const fields = readFields(raw, '', ['limit'], violations);
  return fields ? parseDeadLetterLimit(fields['limit'], 'limit', violations) : undefined;
}

/** An empty body (or `{}`) for retry: nothing to choose. */
export function parseEmptyBody(raw: unknown, violations: Violations): void {
  readFields(raw, '', [], violations);
}
