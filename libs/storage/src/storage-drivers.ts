import type {
  EventStore,
  IdempotencyStore,
  Inbox,
  OrderProjection,
  Outbox,
  SagaStore,
  UnitOfWork,
} from '@oms/domain';
import type { SchemaVersion } from './schema-version';

/** One storage backend: every port, sharing one connection pool / one in-memory database. */
export interface StorageDrivers {
  readonly driver: 'memory' | 'postgres';
  readonly eventStore: EventStore;
  readonly outbox: Outbox;
  readonly projection: OrderProjection;
  readonly idempotency: IdempotencyStore;
  readonly sagas: SagaStore;
  readonly inbox: Inbox;
  readonly unitOfWork: UnitOfWork;
  /** Connections of the pool (the DB pool metric); absent for a backend without one. */
  poolStats?(): { readonly total: number; readonly idle: number; readonly waiting: number };
  /** Tells `observer` how long each statement or transaction waited for a pooled connection. */
  observeConnectionWait?(observer: (waitMs: number) => void): void;
  /** Round trip to the backend; throws when it is unreachable (readiness check). */
  ping(): Promise<void>;
  /** How the schema compares with this build's migrations; absent for a backend without one. */
  schemaVersion?(): Promise<SchemaVersion>;
  close(): Promise<void>;
  /** Why the database was out of reach when the drivers were made; the start waits for it (ADR 0027). */
  readonly unreachableAtStart?: string;
  /**
   * Resolves once the database answers (after the start-up migrations, if asked), trying every
   * `intervalMs`, or once `stopped()`; throws when the database refuses rather than being out of reach.
   */
  untilReachable?(intervalMs: number, stopped: () => boolean): Promise<void>;
}
