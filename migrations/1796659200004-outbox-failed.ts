import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A partial index over the dead-lettered outbox rows (status 'failed'), for the operators'
 * dead-letter listing, count and reprocess (`/v1/admin/dead-letters`, the console). Without
 * it each of those scans the whole outbox, which holds OMS_OUTBOX_RETENTION of sent rows
 * (about 2.5 million at 100 orders/s and the default hour). Free on the write path: a row
 * enters it only when the relay gives up on it, and leaves when it is reprocessed.
 */
export class OutboxFailedIndex1796659200004 implements MigrationInterface {
  readonly name = 'OutboxFailedIndex1796659200004';
  /** An index: releases before this one neither read nor write anything else. */
  static readonly backwardCompatible = true;
  // CONCURRENTLY (writers keep inserting outbox rows while it builds) cannot run inside a transaction; every step is idempotent.
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    // A build that failed half-way leaves an INVALID index, which IF NOT EXISTS would keep: drop it and build again.
    const [index] = (await queryRunner.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('outbox_failed_idx')`)) as {
      valid: boolean;
    }[];
    if (index && !index.valid) await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS outbox_failed_idx`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS outbox_failed_idx ON outbox (id) WHERE status = 'failed'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS outbox_failed_idx`);
  }
}
