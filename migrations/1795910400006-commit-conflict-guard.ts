import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * oms_commit_conflict(part): raises SQLSTATE OMS01 naming the part of a commit that did not
 * apply (stale stream or saga version, inbox entry or idempotency key already taken). A commit
 * is ONE autocommit statement whose last column calls it when a part is missing, so PostgreSQL
 * rolls every part back without the BEGIN and COMMIT round trips of an explicit transaction.
 * VOLATILE (the default) so that the planner never evaluates it ahead of time.
 */
export class CommitConflictGuard1795910400006 implements MigrationInterface {
  readonly name = 'CommitConflictGuard1795910400006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION oms_commit_conflict(part text) RETURNS integer LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'commit conflict on %', part USING ERRCODE = 'OMS01', DETAIL = part;
      END
      $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION oms_commit_conflict(text)`);
  }
}
