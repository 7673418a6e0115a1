/** A migration this build carries, as the schema check needs it. */
export interface KnownMigration {
  readonly name: string;
}

/** An applied migration this build does not carry (a newer release applied it). */
export interface UnknownMigration {
  readonly name: string;
  /** Recorded by the migrator that applied it: the releases before it run on its schema. */
  readonly backwardCompatible: boolean;
}

/**
 * How the database schema compares with the migrations bundled in this build:
 * - `current`: every one of them applied, nothing else;
 * - `behind`: some of them are not applied (run `migrator migrate up`);
 * - `ahead`: all of them applied, plus newer ones; the app serves only when every newer one is
 *   marked backward compatible.
 */
export type SchemaVersion =
  | { readonly state: 'current'; readonly applied: number }
  | { readonly state: 'behind'; readonly missing: readonly string[]; readonly unknown: readonly UnknownMigration[] }
  | { readonly state: 'ahead'; readonly unknown: readonly UnknownMigration[] };

/** Whether this build may serve on that schema. */
export function schemaServes(version: SchemaVersion): boolean {
  return version.state === 'current' || (version.state === 'ahead' && version.unknown.every((migration) => migration.backwardCompatible));
}

/** Compares the migrations of the build (oldest first) with those the database recorded. */
export function compareSchema(
  known: readonly KnownMigration[],
  applied: readonly string[],
  compatibility: ReadonlyMap<string, boolean>,
): SchemaVersion {
  const appliedSet = new Set(applied);
  const knownSet = new Set(known.map((migration) => migration.name));
  const missing = known.map((migration) => migration.name).filter((name) => !appliedSet.has(name));
  const unknown = applied
    .filter((name) => !knownSet.has(name))
    .map((name) => ({ name, backwardCompatible: compatibility.get(name) === true }));
  if (missing.length > 0) return { state: 'behind', missing, unknown };
  if (unknown.length > 0) return { state: 'ahead', unknown };
  return { state: 'current', applied: known.length };
}

/** The command that brings the schema up to this build. */
export const MIGRATE_UP_COMMAND = 'migrator migrate up';

/** One line for the log and /healthz: what is wrong and what to do; undefined when current. */
export function describeSchemaVersion(version: SchemaVersion): string | undefined {
  switch (version.state) {
    case 'current':
      return undefined;
    case 'behind':
      return (
        `database schema is behind this build: ${version.missing.length} migration(s) not applied ` +
        `(${version.missing.join(', ')}); not serving until they are: run "${MIGRATE_UP_COMMAND}" ` +
        '(node dist/apps/migrator/main.cjs migrate up, or the migrator Job); no restart needed'
      );
    case 'ahead': {
      const names = version.unknown.map((migration) => migration.name).join(', ');
      const incompatible = version.unknown.filter((migration) => !migration.backwardCompatible).map((migration) => migration.name);
      if (incompatible.length === 0) {
        return `database schema is ahead of this build by ${version.unknown.length} migration(s) (${names}), all marked backward compatible: serving`;
      }
      return (
        `database schema is ahead of this build by ${version.unknown.length} migration(s) (${names}); ` +
        `not marked backward compatible: ${incompatible.join(', ')}. Not serving: run the release that carries them, ` +
        'or revert them with "migrator migrate down" of that release'
      );
    }
    default: {
      const unexpected: never = version;
      throw new Error(`unknown schema state ${JSON.stringify(unexpected)}`);
    }
  }
}
