import { createTestDatabase } from '@oms/testing';
import { describeOrderLifecycle } from './testing/lifecycle.behaviour';
import { lifecycleConfig } from './testing/lifecycle.scenarios';

// The same lifecycle with OMS_STORAGE_DRIVER=postgres on a fresh database (migrated at start-up).
describeOrderLifecycle('PostgreSQL storage', async () => {
  const database = await createTestDatabase('lifecycle');
  return {
    config: lifecycleConfig({
      OMS_STORAGE_DRIVER: 'postgres',
      OMS_POSTGRES_DSN: database.dsn,
      OMS_POSTGRES_AUTO_MIGRATE: 'true',
      OMS_BROKER_DRIVER: 'memory',
    }),
    cleanup: () => database.drop(),
  };
}, ['oms_db_pool_connections']);
