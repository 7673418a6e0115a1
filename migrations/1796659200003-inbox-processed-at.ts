import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index on processed_messages.processed_at for the inbox cleanup (OMS_INBOX_RETENTION): a
 * run deletes the oldest rows in batches and its last batch finds that none is left without
 * reading the retained ones. A B-tree, not BRIN: the cleanup frees pages that new rows then
 * fill, and a BRIN range summary only ever widens, so after one retention period every range
 * would match the cut-off. Its inserts go to the rightmost leaf (processed_at grows).
 */
export class InboxProcessedAtIndex1796659200003 implements MigrationInterface {
  readonly name = 'InboxProcessedAtIndex1796659200003';
  /** An index: releases before this one neither read nor write anything else. */
  static readonly backwardCompatible = true;
  // CONCURRENTLY (the saga orchestrator keeps writing while it builds) cannot run inside a transaction; every step is idempotent.
  readonly transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    // A build that failed half-way leaves an INVALID index, which IF NOT EXISTS would keep: drop it and build again.
    const [index] = (await queryRunner.query(
      `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('processed_messages_processed_at_idx')`,
    )) as { valid: boolean }[];
    if (index && !index.valid) await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS processed_messages_processed_at_idx`);
    await queryRunner.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS processed_messages_processed_at_idx ON processed_messages (processed_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX CONCURRENTLY IF EXISTS processed_messages_processed_at_idx`);
  }
}
