import { createTestDatabase, postgresTestConfig, type TestDatabase } from '@oms/testing';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { OMS_MIGRATIONS, postgresDataSourceOptions, postgresSettingsOf } from './data-source';
import { migrateDown, migrateUp } from './migrations.postgres';
import { createPostgresDrivers } from './postgres-drivers';
import { PostgresDatabase } from './postgres-database';
import { isBackwardCompatible, readSchemaVersion } from './schema-version.postgres';

// Real PostgreSQL on a shared machine: creating, migrating and dropping databases takes seconds.
jest.setTimeout(60_000);

const ALL = OMS_MIGRATIONS.map((migration) => new migration().name);
/** This build's migrations that mark themselves backward compatible: the migrator records each. */
const FLAGGED = OMS_MIGRATIONS.filter(isBackwardCompatible).map((migration) => new migration().name);

/** Migrations of a "newer release" this build does not carry: one declares itself compatible. */
class AddsANote1999999999001 implements MigrationInterface {
  readonly name = 'AddsANote1999999999001';
  static readonly backwardCompatible = true;
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE TABLE newer_release_notes (id int)');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE newer_release_notes');
  }
}
class RenamesAColumn1999999999002 implements MigrationInterface {
  readonly name = 'RenamesAColumn1999999999002';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE newer_release_notes RENAME COLUMN id TO note_id');
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE newer_release_notes RENAME COLUMN note_id TO id');
  }
}

let database: TestDatabase;
let newer: DataSource;
let sql: PostgresDatabase;

beforeAll(async () => {
  database = await createTestDatabase('schema');
  const settings = postgresSettingsOf(postgresTestConfig(database.dsn));
  // The newer release's migrator: this build's migrations plus two of its own.
  newer = new DataSource({ ...postgresDataSourceOptions(settings), migrations: [...OMS_MIGRATIONS, AddsANote1999999999001, RenamesAColumn1999999999002] });
  await newer.initialize();
  sql = await PostgresDatabase.open(settings);
});

afterAll(async () => {
  await sql?.close();
  await newer?.destroy();
  await database?.drop();
});

describe('readSchemaVersion (PostgreSQL)', () => {
  it('follows the schema from empty through current to ahead and back', async () => {
    expect(await readSchemaVersion(sql)).toEqual({ state: 'behind', missing: ALL, unknown: [] });

    await migrateUp(newer, { steps: ALL.length - 1 });
    expect(await readSchemaVersion(sql)).toEqual({ state: 'behind', missing: ALL.slice(-1), unknown: [] });

    await migrateUp(newer, { steps: 1 });
    expect(await readSchemaVersion(sql)).toEqual({ state: 'current', applied: ALL.length });

    // The newer release applies one compatible migration: this build still serves.
    await migrateUp(newer, { steps: 1 });
    expect(await readSchemaVersion(sql)).toEqual({ state: 'ahead', unknown: [{ name: 'AddsANote1999999999001', backwardCompatible: true }] });

    // ... and one that does not say so: this build must not serve on it.
    await migrateUp(newer, { steps: 1 });
    expect(await readSchemaVersion(sql)).toEqual({
      state: 'ahead',
      unknown: [
        { name: 'AddsANote1999999999001', backwardCompatible: true },
        { name: 'RenamesAColumn1999999999002', backwardCompatible: false },
      ],
    });
    const { rows } = await sql.query<{ name: string; backward_compatible: boolean }>(
      'SELECT name, backward_compatible FROM migration_compatibility ORDER BY name',
    );
    expect(rows).toEqual(
      [
        { name: 'AddsANote1999999999001', backward_compatible: true },
        ...FLAGGED.map((name) => ({ name, backward_compatible: true })),
        { name: 'RenamesAColumn1999999999002', backward_compatible: false },
      ].sort((a, b) => (a.name < b.name ? -1 : 1)),
    );

    // Reverting forgets the flag with the migration.
    await migrateDown(newer, { steps: 2 });
    expect(await readSchemaVersion(sql)).toEqual({ state: 'current', applied: ALL.length });
    expect((await sql.query('SELECT name FROM migration_compatibility ORDER BY name')).rows).toEqual([...FLAGGED].sort().map((name) => ({ name })));
  });

  it('is offered by the PostgreSQL drivers', async () => {
    const drivers = await createPostgresDrivers(postgresTestConfig(database.dsn));
    try {
      await expect(drivers.schemaVersion?.()).resolves.toEqual({ state: 'current', applied: ALL.length });
    } finally {
      await drivers.close();
    }
  });
});
