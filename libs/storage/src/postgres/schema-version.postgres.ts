import { compareSchema, type KnownMigration, type SchemaVersion } from '../schema-version';
import { MIGRATIONS_TABLE, OMS_MIGRATIONS } from './data-source';
import type { SqlExecutor } from './postgres-database';

/** Where the migrator records each applied migration's `backwardCompatible` flag. */
export const MIGRATION_COMPATIBILITY_TABLE = 'migration_compatibility';

/** A migration class that declares `static readonly backwardCompatible = true`. */
export function isBackwardCompatible(migration: unknown): boolean {
  if (migration === null || (typeof migration !== 'object' && typeof migration !== 'function')) return false;
  const type = typeof migration === 'function' ? migration : (migration as { constructor?: unknown }).constructor;
  return (type as { backwardCompatible?: unknown } | undefined)?.backwardCompatible === true;
}

/** The migrations bundled in this build, by the names TypeORM records them under. */
export function bundledMigrations(): KnownMigration[] {
  return OMS_MIGRATIONS.map((migration) => ({ name: new migration().name }));
}

/**
 * Reads what the database recorded (two small queries) and compares it with this build. An
 * empty database (no migrations table yet) is behind by every migration.
 */
export async function readSchemaVersion(db: SqlExecutor, known: readonly KnownMigration[] = bundledMigrations()): Promise<SchemaVersion> {
  const { rows: tables } = await db.query<{ migrations: string | null; compatibility: string | null }>(
    'SELECT to_regclass($1)::text AS migrations, to_regclass($2)::text AS compatibility',
    [MIGRATIONS_TABLE, MIGRATION_COMPATIBILITY_TABLE],
  );
  const { migrations, compatibility } = tables[0] ?? { migrations: null, compatibility: null };
  const applied = migrations ? (await db.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY timestamp, id`)).rows.map((row) => row.name) : [];
  const knownNames = new Set(known.map((migration) => migration.name));
  const unknown = applied.filter((name) => !knownNames.has(name));
  const flags = new Map<string, boolean>();
  if (compatibility && unknown.length > 0) {
    const { rows } = await db.query<{ name: string; backward_compatible: boolean }>(
      `SELECT name, backward_compatible FROM ${MIGRATION_COMPATIBILITY_TABLE} WHERE name = ANY($1::text[])`,
      [unknown],
    );
    for (const row of rows) flags.set(row.name, row.backward_compatible);
  }
  return compareSchema(known, applied, flags);
}
