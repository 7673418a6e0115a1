// Contract suites: the specification of the storage ports. Every driver runs every suite
// (memory in memory/memory-drivers.spec.ts, PostgreSQL in its integration spec).
export { describeEventStoreContract } from './contract/event-store.contract';
export { describeIdempotencyStoreContract } from './contract/idempotency-store.contract';
export { describeInboxContract } from './contract/inbox.contract';
export { describeOrderProjectionContract } from './contract/order-projection.contract';
export { describeOutboxContract } from './contract/outbox.contract';
export { describeSagaStoreContract } from './contract/saga-store.contract';
export { describeStorageContracts } from './contract/storage.contract';
export { describeUnitOfWorkContract } from './contract/unit-of-work.contract';
export {
  anEvent,
  anOrderView,
  anOutboxMessage,
  aSaga,
  type StorageContractFactory,
  type StorageContractSubject,
} from './contract/storage-contract.fixtures';
// A migrated PostgreSQL database per integration test file.
export { createMigratedTestDatabase, type MigratedTestDatabase } from './testing/migrated-test-database';
