import * as contracts from '../testing';
import { createMigratedTestDatabase, type MigratedTestDatabase, type StorageContractFactory } from '../testing';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

/**
 * Every storage contract suite (the specification the memory driver also passes) against
 * the PostgreSQL drivers on one freshly migrated database. Suites are picked up by name,
 * so a suite added to @oms/storage/testing runs here without touching this file.
 */
let database: MigratedTestDatabase | undefined;

beforeAll(async () => {
  database = await createMigratedTestDatabase('contracts');
});

afterAll(async () => {
  await database?.drop();
});

const postgres: StorageContractFactory = async () => {
  if (!database) throw new Error('test database was not created');
  const drivers = await database.drivers();
  return { drivers, cleanup: () => drivers.close(), outboxPartitions: database.config.outbox.partitions };
};

const suites = Object.entries(contracts).filter(
  (entry): entry is [string, (name: string, factory: StorageContractFactory) => void] =>
    /^describe\w+Contract$/.test(entry[0]) && typeof entry[1] === 'function',
);

it('finds the storage contract suites to run', () => {
  expect(suites.map(([name]) => name)).toEqual(expect.arrayContaining(['describeEventStoreContract']));
});

for (const [, describeContract] of suites) describeContract('postgres', postgres);
