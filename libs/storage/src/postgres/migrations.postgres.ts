import { Migration, MigrationExecutor, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createPostgresDataSource, type PostgresConnectionSettings } from './data-source';

/** pg_advisory_lock key that serialises every schema change of an OMS database. */
export const MIGRATION_LOCK_KEY = 727_100_001;

export interface MigrationState {
  readonly name: string;
  readonly timestamp: number;
  readonly applied: boolean;
  /** Applied in the database but unknown to this build (a newer release ran it). */
  readonly unknown?: boolean;
}

export interface MigrateOptions {
  /** Apply (up) or revert (down) at most this many migrations; default: every pending one (up), one (down). */
  readonly steps?: number;
  /** How long to wait for another migrator holding the lock; default 10 minutes. */
  readonly lockWaitMs?: number;
}

/** A migration failed; its transaction was rolled back, earlier migrations stay applied. */
export class MigrationError extends Error {
  constructor(
    readonly migration: string,
    readonly direction: 'up' | 'down',
    cause: unknown,
  ) {
    super(`migration ${migration} (${direction}) failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

export async function migrationStatus(dataSource: DataSource): Promise<MigrationState[]> {
  const runner = dataSource.createQueryRunner();
  try {
    const executor = new MigrationExecutor(dataSource, runner);
    const applied = new Set((await executor.getExecutedMigrations()).map((migration) => migration.name));
    const known = sourceMigrations(dataSource);
    const states: MigrationState[] = known.map((migration) => ({
      name: migration.name,
      timestamp: migration.timestamp,
      applied: applied.has(migration.name),
    }));
    for (const migration of await executor.getExecutedMigrations()) {
      if (!known.some((candidate) => candidate.name === migration.name)) {
        states.push({ name: migration.name, timestamp: migration.timestamp, applied: true, unknown: true });
      }
    }
    return states.sort((a, b) => a.timestamp - b.timestamp);
  } finally {
    await runner.release();
  }
}

/** Applies pending migrations oldest first, each in its own transaction, under the migration lock. Returns their names. */
export async function migrateUp(dataSource: DataSource, options: MigrateOptions = {}): Promise<string[]> {
  return withMigrationLock(dataSource, options.lockWaitMs, async (runner, executor) => {
    const pending = await executor.getPendingMigrations();
    const batch = options.steps === undefined ? pending : pending.slice(0, Math.max(0, options.steps));
    const applied: string[] = [];
    for (const migration of batch) {
      await inTransaction(runner, migration, 'up', () => executor.executeMigration(migration));
      applied.push(migration.name);
    }
    return applied;
  });
}

/** Reverts the most recently applied migrations (default one), newest first, each in its own transaction. */
export async function migrateDown(dataSource: DataSource, options: MigrateOptions = {}): Promise<string[]> {
  return withMigrationLock(dataSource, options.lockWaitMs, async (runner, executor) => {
    const steps = Math.max(0, options.steps ?? 1);
    const executed = await executor.getExecutedMigrations(); // newest first
    const known = sourceMigrations(dataSource);
    const reverted: string[] = [];
    for (const done of executed.slice(0, steps)) {
      const migration = known.find((candidate) => candidate.name === done.name);
      const instance = migration?.instance;
      if (!migration || !instance) {
        throw new MigrationError(done.name, 'down', new Error('it is not part of this build, so it cannot be reverted here'));
      }
      await inTransaction(runner, migration, 'down', async () => {
        await instance.down(runner);
        await executor.deleteMigration(done);
      });
      reverted.push(done.name);
    }
    return reverted;
  });
}

/**
 * Applies pending migrations on a short-lived connection without a statement timeout (an
 * index build may take long). Safe to call from every replica at start-up
 * (OMS_POSTGRES_AUTO_MIGRATE): starters queue on the advisory lock and the later ones find
 * nothing pending.
 */
export async function runMigrations(settings: PostgresConnectionSettings, options: MigrateOptions = {}): Promise<string[]> {
  const dataSource = createPostgresDataSource({ ...settings, poolMax: 1, statementTimeoutMs: 0 });
  await dataSource.initialize();
  try {
    return await migrateUp(dataSource, options);
  } finally {
    await dataSource.destroy();
  }
}

/**
 * The migrations of this build, oldest first, from the DataSource's public list: a class named
 * `<Name><13-digit timestamp>` (TypeORM's own naming rule, which getPendingMigrations applies too).
 */
function sourceMigrations(dataSource: DataSource): Migration[] {
  return dataSource.migrations
    .map((instance) => {
      const name = instance.name ?? instance.constructor.name;
      const timestamp = Number.parseInt(name.slice(-13), 10);
      if (!Number.isSafeInteger(timestamp)) throw new Error(`migration ${name} does not end with a 13-digit timestamp`);
      return new Migration(undefined, timestamp, name, instance);
    })
    .sort((a, b) => a.timestamp - b.timestamp);
}

/** `CREATE INDEX CONCURRENTLY` cannot run in a transaction: such a migration sets `transaction = false`. */
async function inTransaction(runner: QueryRunner, migration: Migration, direction: 'up' | 'down', work: () => Promise<unknown>) {
  const transactional = (migration.instance as MigrationInterface | undefined)?.transaction !== false;
  try {
    if (transactional) await runner.startTransaction();
    await work();
    if (transactional) await runner.commitTransaction();
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
    throw new MigrationError(migration.name, direction, error);
  }
}

async function withMigrationLock<T>(
  dataSource: DataSource,
  lockWaitMs = 10 * 60_000,
  work: (runner: QueryRunner, executor: MigrationExecutor) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  try {
    const deadline = Date.now() + lockWaitMs;
    // Polled, not blocking: a blocking wait would be cut short by statement_timeout.
    while (!(await tryLock(runner))) {
      if (Date.now() >= deadline) throw new Error(`another migrator holds the migration lock for more than ${lockWaitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 150)));
    }
    try {
      return await work(runner, new MigrationExecutor(dataSource, runner));
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

async function tryLock(runner: QueryRunner): Promise<boolean> {
  const rows = (await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY])) as { locked: boolean }[];
  return rows[0]?.locked === true;
}
