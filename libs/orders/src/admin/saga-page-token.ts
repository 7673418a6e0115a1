import { createHash } from 'node:crypto';
import { DomainError } from '@oms/domain';

/** The filters a saga listing was asked with: a page token is valid only for the same ones. */
export interface SagaListFilter {
  readonly status?: string;
  readonly olderThanMs?: number;
}

export interface SagaPagePosition {
  readonly updatedAt: Date;
  readonly sagaId: string;
}

// As ListOrders' tokens (ADR 0021): a digest of the filters catches a token reused with others.
const filterDigest = (filter: SagaListFilter): string =>
  createHash('sha256')
    .update(`${filter.status ?? ''}|${filter.olderThanMs ?? ''}`)
    .digest('hex')
    .slice(0, 16);

export function encodeSagaPageToken(position: SagaPagePosition, filter: SagaListFilter): string {
  return Buffer.from(JSON.stringify([position.updatedAt.toISOString(), position.sagaId, filterDigest(filter)])).toString('base64url');
}

/** The position a token names; VALIDATION_FAILED naming pageToken when it is not one of this filter's. */
export function decodeSagaPageToken(token: string, filter: SagaListFilter): SagaPagePosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 3 || decoded.some((part) => typeof part !== 'string')) {
    throw invalidToken('is not a token from a previous page');
  }
  const [updatedAt, sagaId, digest] = decoded as [string, string, string];
  const time = Date.parse(updatedAt);
  if (Number.isNaN(time)) throw invalidToken('is not a token from a previous page');
  if (digest !== filterDigest(filter)) throw invalidToken('was issued for other status / olderThan filters');
  return { updatedAt: new Date(time), sagaId };
}

const invalidToken = (message: string): DomainError =>
  new DomainError('VALIDATION_FAILED', 'invalid request: pageToken', [{ field: 'pageToken', message }]);
