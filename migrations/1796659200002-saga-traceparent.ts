import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C traceparent of the request or message that started a saga, so that a drive the
 * recovery sweep resumes (after a crash, a retry backoff) continues that trace (ADR 0027).
 * Written once, when the saga is inserted; NULL for sagas started without a trace.
 */
export class SagaTraceparent1796659200002 implements MigrationInterface {
  readonly name = 'SagaTraceparent1796659200002';
  /** A nullable column that releases before this one never read nor write. */
  static readonly backwardCompatible = true;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sagas ADD COLUMN traceparent text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sagas DROP COLUMN traceparent`);
  }
}
