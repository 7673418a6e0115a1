import { describeSchemaVersion, schemaServes, type SchemaVersion } from './schema-version';

/** Name of the readiness check on the schema version. */
export const SCHEMA_CHECK = 'schema';

interface WatchLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * Compares the database schema with this build, on demand (start-up, every readiness probe),
 * and logs only when what it finds changes: one line when the schema is behind (naming the
 * missing migrations and `migrator migrate up`), one when it is ahead, one when it became
 * current. A probe every few seconds must not repeat the same line forever, nor report each
 * step of a `migrate up` that is running (fewer missing is progress, not news).
 */
export class SchemaWatch {
  private lastKey: string | undefined;

  constructor(
    private readonly read: () => Promise<SchemaVersion>,
    private readonly logger: WatchLogger,
  ) {}

  async check(): Promise<SchemaVersion> {
    return this.note(await this.read());
  }

  /** Logs what `version` changes (as `check` does with what it reads); returns it. */
  note(version: SchemaVersion): SchemaVersion {
    const key = stateKey(version);
    if (key !== this.lastKey) {
      const first = this.lastKey === undefined;
      this.lastKey = key;
      const problem = describeSchemaVersion(version);
      if (problem) this.logger.warn(problem);
      else if (!first) this.logger.log(`database schema is current (${version.state === 'current' ? version.applied : '?'} migrations): serving`);
    }
    return version;
  }

  /** Readiness: up when this build may serve on the schema, with what was found. */
  async readiness(): Promise<{ up: boolean; details: Record<string, unknown> }> {
    const version = await this.check();
    const problem = describeSchemaVersion(version);
    const details: Record<string, unknown> = { state: version.state };
    if (version.state === 'behind') details['missing'] = version.missing;
    if (version.state !== 'current' && version.unknown.length > 0) details['unknown'] = version.unknown;
    if (problem) details['message'] = problem;
    return { up: schemaServes(version), details };
  }

  /**
   * Resolves once the schema serves, checking every `intervalMs`: a start-up on a schema that
   * is behind waits for `migrator migrate up` instead of serving errors, and goes on without a
   * restart. `stopped` ends the wait (shutdown).
   */
  async untilServing(intervalMs: number, stopped: () => boolean = () => false): Promise<void> {
    for (;;) {
      const version = await this.check().catch(() => undefined); // the database check reports outages
      if ((version && schemaServes(version)) || stopped()) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** What is worth a log line: entering another state; for "ahead", also another set of newer migrations. */
function stateKey(version: SchemaVersion): string {
  switch (version.state) {
    case 'current':
    case 'behind':
      return version.state;
    case 'ahead':
      return `ahead:${version.unknown.map((migration) => `${migration.name}=${migration.backwardCompatible}`).join(',')}`;
    default: {
      const unexpected: never = version;
      return String(unexpected);
    }
  }
}
