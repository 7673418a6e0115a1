import { createHash } from 'node:crypto';
import { DomainError } from '@oms/domain';

/**
 * The keyset cursor of OrderProjection.list, shared by every driver so that a page token
 * stays valid whichever driver serves the next page: base64url of JSON
 * `[createdAt, orderId, scope]`, the sort key of the last row of the previous page (newest
 * first) and a digest of the query it pages (customer and status filter).
 */
export interface OrderCursor {
  readonly createdAt: string;
  readonly orderId: string;
}

/** The query a cursor pages through: the next page must ask for the same customer and statuses. */
export interface OrderCursorScope {
  readonly customerId: string;
  readonly statuses: readonly string[];
}

/**
 * Binds a token to its query, so a token reused for another customer or filter is refused
 * instead of answering a page of a different list. Statuses are a set: order and repeats do not
 * matter. A digest, not a signature: it catches mistakes; the query itself is not secret.
 */
function scopeDigest(scope: OrderCursorScope): string {
  const statuses = [...new Set(scope.statuses)].sort();
  return createHash('sha256').update(JSON.stringify([scope.customerId, statuses])).digest('base64url').slice(0, 16);
}

export function encodeOrderCursor(cursor: OrderCursor, scope: OrderCursorScope): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.orderId, scopeDigest(scope)]), 'utf8').toString('base64url');
}

/**
 * Throws DomainError VALIDATION_FAILED naming `pageToken` for anything that is not a cursor
 * this code wrote for this same customer and status filter.
 */
export function decodeOrderCursor(token: string, scope: OrderCursorScope): OrderCursor {
  const invalid = () =>
    new DomainError('VALIDATION_FAILED', 'invalid page token', [
      { field: 'pageToken', message: 'is not a page token returned by a previous ListOrders call' },
    ]);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [createdAt, orderId, digest] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof orderId !== 'string' || orderId.length === 0 || typeof digest !== 'string') throw invalid();
  if (Number.isNaN(Date.parse(createdAt))) throw invalid();
  if (digest !== scopeDigest(scope)) {
    throw new DomainError('VALIDATION_FAILED', 'invalid page token: it pages another query', [
      { field: 'pageToken', message: 'belongs to a listing of another customerId or filterStatuses; start again without pageToken' },
    ]);
  }
  return { createdAt, orderId };
}
