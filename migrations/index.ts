import { EventStoreAndOutbox1795910400001 } from './1795910400001-event-store-and-outbox';
import { OrdersView1795910400002 } from './1795910400002-orders-view';
import { IdempotencyKeys1795910400003 } from './1795910400003-idempotency-keys';
import { SagasAndInbox1795910400004 } from './1795910400004-sagas-and-inbox';
import { OutboxRelayMembers1795910400005 } from './1795910400005-outbox-relay-members';
import { CommitConflictGuard1795910400006 } from './1795910400006-commit-conflict-guard';
import { MigrationCompatibility1796572800000 } from './1796572800000-migration-compatibility';
import { IdempotencyOneKeySpace1796659200000 } from './1796659200000-idempotency-one-key-space';
import { SagaTraceparent1796659200002 } from './1796659200002-saga-traceparent';
import { InboxProcessedAtIndex1796659200003 } from './1796659200003-inbox-processed-at';
import { OutboxFailedIndex1796659200004 } from './1796659200004-outbox-failed';

/**
 * Every schema migration, oldest first. Listed explicitly (not globbed) so that bundled
 * apps carry them. Expand/contract only: see docs/migrations.md before adding one. A class
 * may declare `static readonly backwardCompatible = true`: the release before it runs on the
 * schema it leaves (the schema version check of the apps reads it).
 */
export const OMS_MIGRATIONS = [
  EventStoreAndOutbox1795910400001,
  OrdersView1795910400002,
  IdempotencyKeys1795910400003,
  SagasAndInbox1795910400004,
  OutboxRelayMembers1795910400005,
  CommitConflictGuard1795910400006,
  MigrationCompatibility1796572800000,
  IdempotencyOneKeySpace1796659200000,
  SagaTraceparent1796659200002,
  InboxProcessedAtIndex1796659200003,
  OutboxFailedIndex1796659200004,
] as const;
