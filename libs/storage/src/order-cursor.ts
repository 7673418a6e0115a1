import { DomainError } from '@oms/domain';

/**
 * The keyset cursor of OrderProjection.list, shared by every driver so that a page token
 * stays valid whichever driver serves the next page: base64url of JSON `[createdAt, orderId]`
 * of the last row of the previous page (the sort key, newest first).
 */
export interface OrderCursor {
  readonly createdAt: string;
  readonly orderId: string;
}

export function encodeOrderCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.orderId]), 'utf8').toString('base64url');
}

/** Throws DomainError VALIDATION_FAILED naming `pageToken` for anything that is not a cursor this code wrote. */
export function decodeOrderCursor(token: string): OrderCursor {
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
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [createdAt, orderId] = parsed as unknown[];
  if (typeof createdAt !== 'string' || typeof orderId !== 'string' || orderId.length === 0) throw invalid();
  if (Number.isNaN(Date.parse(createdAt))) throw invalid();
  return { createdAt, orderId };
}
