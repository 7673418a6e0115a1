import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which applied migrations the releases before them can run on. The migrator records, with
 * each migration it applies, the migration's `backwardCompatible` flag here; an app that finds
 * a migration it does not know (a rollback of the app) reads the flag to decide whether it may
 * serve (docs/migrations.md, "Schema version check").
 */
export class MigrationCompatibility1796572800000 implements MigrationInterface {
  readonly name = 'MigrationCompatibility1796572800000';
  /** Releases before this one never read the table. */
  static readonly backwardCompatible = true;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE migration_compatibility (
        name text COLLATE "C" PRIMARY KEY,
        backward_compatible boolean NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE migration_compatibility`);
  }
}
