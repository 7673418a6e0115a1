import { UuidV7IdGenerator, type NewEvent, type OrderView, type OutboxMessage, type SagaRecord } from '@oms/domain';
import type { StorageDrivers } from '../storage-drivers';

/** What every contract suite needs from a driver: a fresh handle and a way to let it go. */
export interface StorageContractSubject {
  readonly drivers: StorageDrivers;
  cleanup(): Promise<void>;
  /** Outbox partition count the drivers were created with (default 16). */
  readonly outboxPartitions?: number;
}

export type StorageContractFactory = () => Promise<StorageContractSubject>;

/**
 * Opens the subject once per suite. Suites never assume an empty store: every id is a fresh
 * UUID v7, and queries that see other rows (readAll, fetchPending, claimDue) filter to the
 * test's own rows, so several suites may share one database (one after another).
 */
export function useSubject(factory: StorageContractFactory): () => StorageContractSubject {
  let subject: StorageContractSubject | undefined;
  beforeAll(async () => {
    subject = await factory();
  });
  afterAll(async () => {
    await subject?.cleanup();
  });
  return () => {
    if (!subject) throw new Error('storage contract subject is not open (factory failed?)');
    return subject;
  };
}

const ids = new UuidV7IdGenerator();
export const newId = (): string => ids.newId();

export function anEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: newId(),
    type: 'OrderPlaced',
    schemaVersion: 1,
    data: { orderId: newId(), amount: 1250, nested: { list: [1, 'two', null], flag: true } },
    metadata: { occurredAt: '2026-01-02T03:04:05.678Z', correlationId: newId() },
    ...overrides,
  };
}

export const events = (count: number): NewEvent[] => Array.from({ length: count }, (_, i) => anEvent({ type: `Event${i + 1}` }));

export function anOutboxMessage(overrides: Partial<OutboxMessage> = {}): OutboxMessage {
  return {
    messageId: newId(),
    topic: 'oms.order.events',
    key: newId(),
    payload: JSON.stringify({ hello: 'world', n: 1 }),
    headers: { ce_type: 'OrderPlaced', ce_id: newId(), traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    ...overrides,
  };
}

export function anOrderView(overrides: Partial<OrderView> = {}): OrderView {
  const createdAt = overrides.createdAt ?? '2026-03-01T10:00:00.000Z';
  return {
    orderId: newId(),
    customerId: newId(),
    status: 'PENDING',
    currency: 'EUR',
    totalMinor: 2500,
    items: [
      { sku: 'SKU-1', qty: 2, unitPriceMinor: 1000 },
      { sku: 'SKU-2', qty: 1, unitPriceMinor: 500 },
    ],
    version: 1,
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

export function aSaga(overrides: Partial<SagaRecord> = {}): SagaRecord {
  const createdAt = overrides.createdAt ?? new Date('2026-03-01T10:00:00.000Z');
  return {
    sagaId: newId(),
    orderId: newId(),
    kind: 'fulfilment',
    status: 'RUNNING',
    state: { step: 'reserve', attempts: 0, reservationId: null, items: [{ sku: 'A', qty: 1 }] },
    version: 0,
    nextAttemptAt: createdAt,
    deadlineAt: new Date(createdAt.getTime() + 60_000),
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

/** Rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject, but it resolved');
}

export const allPartitions = (subject: StorageContractSubject): number[] =>
  Array.from({ length: subject.outboxPartitions ?? 16 }, (_, i) => i);

/** Large enough to see every pending row a test suite leaves behind. */
export const SEE_ALL = 100_000;
