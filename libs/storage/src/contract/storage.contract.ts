import { describeEventStoreContract } from './event-store.contract';
import { describeIdempotencyStoreContract } from './idempotency-store.contract';
import { describeInboxContract } from './inbox.contract';
import { describeOrderProjectionContract } from './order-projection.contract';
import { describeOutboxContract } from './outbox.contract';
import { describeSagaStoreContract } from './saga-store.contract';
import type { StorageContractFactory } from './storage-contract.fixtures';
import { describeUnitOfWorkContract } from './unit-of-work.contract';

/** Every storage port's contract suite, one after another, against one driver. */
export function describeStorageContracts(name: string, factory: StorageContractFactory): void {
  describeEventStoreContract(name, factory);
  describeOutboxContract(name, factory);
  describeOrderProjectionContract(name, factory);
  describeIdempotencyStoreContract(name, factory);
  describeSagaStoreContract(name, factory);
  describeInboxContract(name, factory);
  describeUnitOfWorkContract(name, factory);
}
