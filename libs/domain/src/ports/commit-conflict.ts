import { ConcurrencyError } from '../shared/domain-error';

/**
 * What a refused commit's ConcurrencyError names besides an order stream: one spelling shared by
 * every storage driver, so a caller tells the parts apart without knowing a driver.
 */
export const commitConflictId = {
  saga: (sagaId: string): string => `saga-${sagaId}`,
  inbox: (consumer: string, messageId: string): string => `${INBOX_PREFIX}${consumer}:${messageId}`,
  idempotency: (scope: string, key: string): string => `idempotency:${scope}:${key}`,
} as const;

const INBOX_PREFIX = 'inbox:';

/** The commit was refused because its inbox entry exists: the message was handled before. */
export const isInboxConflict = (error: unknown): boolean => error instanceof ConcurrencyError && error.streamId.startsWith(INBOX_PREFIX);
