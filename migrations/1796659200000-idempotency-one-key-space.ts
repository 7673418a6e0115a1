import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One idempotency key space: a key names one request, whatever its operation or order. Rows
 * keep their (key, scope) primary key, so a release that still scopes keys finds its rows (and
 * the new ones) as before; `key_owner` marks the rows written from this release on, at most one
 * per key. Existing rows and those older replicas write during a rolling deploy get `false`:
 * they are read by key (they replay and refuse other requests) and expire with the 24 h cleanup.
 * Adding the column rewrites nothing (constant default); no row is an owner while the index is
 * built, since apps of this release wait for it (schema version check), so the build cannot
 * meet duplicates. ADR 0023.
 */
export class IdempotencyOneKeySpace1796659200000 implements MigrationInterface {
  readonly name = 'IdempotencyOneKeySpace1796659200000';
  /** The release before ignores the column (its rows default to false) and the partial index. */
  static readonly backwardCompatible = true;
  // CONCURRENTLY cannot run inside a transaction; every step is idempotent, so a failed run is simply run again.
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys ADD COLUMN IF NOT EXISTS key_owner boolean NOT NULL DEFAULT false`);
    // A build that failed half-way leaves an INVALID index, which IF NOT EXISTS would keep: drop it and build again.
    const [index] = (await queryRunner.query(
      `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('idempotency_keys_key_owner_idx')`,
    )) as { valid: boolean }[];
    if (index && !index.valid) await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS idempotency_keys_key_owner_idx`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idempotency_keys_key_owner_idx ON idempotency_keys (key) WHERE key_owner`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS idempotency_keys_key_owner_idx`);
    await queryRunner.query(`ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS key_owner`);
  }
}
