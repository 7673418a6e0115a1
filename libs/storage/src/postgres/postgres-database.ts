import { DatabaseError, Pool, type PoolClient, type PoolConfig } from 'pg';
import { CONNECT_TIMEOUT_MS, KEEPALIVE_DELAY_MS, type PostgresConnectionSettings } from './data-source';
import { StatementNames } from './statement-names';

export interface SqlResult<TRow> {
  readonly rows: TRow[];
  /** Rows inserted, updated or deleted (or returned, for a SELECT). */
  readonly rowCount: number;
}

/** Anything that runs one SQL statement: the pool, or one connection inside a transaction. */
export interface SqlExecutor {
  query<TRow = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<TRow>>;
}

/** Connections of a pool: the oms_db_pool_connections gauge. */
export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
}

async function run<TRow>(client: PoolClient, names: StatementNames, text: string, params: readonly unknown[]): Promise<SqlResult<TRow>> {
  // Without parameters pg sends a simple query, which may hold several statements: never named.
  const name = params.length > 0 ? names.nameOf(text) : undefined;
  const result = await client.query(name === undefined ? { text, values: [...params] } : { name, text, values: [...params] });
  return { rows: result.rows as TRow[], rowCount: result.rowCount ?? 0 };
}

/**
 * The pg.Pool settings of OMS: the same DSN, size, statement timeout, name and connect timeout as
 * the migrations' DataSource, plus a client-side query timeout and TCP keepalive so that a silent
 * network path fails queries within their bounds instead of hanging them.
 */
export function postgresPoolConfig(settings: PostgresConnectionSettings): PoolConfig {
  const queryTimeoutMs = settings.queryTimeoutMs ?? 0;
  return {
    connectionString: settings.dsn,
    max: settings.poolMax,
    // pg.Pool reads 0 as "never close an idle connection"; left out, it closes them after 10 s.
    ...(settings.poolIdleTimeoutMs === undefined ? {} : { idleTimeoutMillis: settings.poolIdleTimeoutMs }),
    application_name: settings.applicationName ?? 'oms',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEPALIVE_DELAY_MS,
    ...(settings.statementTimeoutMs > 0 ? { statement_timeout: settings.statementTimeoutMs } : {}),
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
  };
}

/** pg's own error when query_timeout expires: the connection may still carry the late answer. */
const isQueryTimeout = (error: unknown): boolean => error instanceof Error && error.message === 'Query read timeout';

/**
 * SQLSTATEs after which the connection's prepared statements are stale: 0A000 "cached plan must
 * not change result type" (a migration changed a column a prepared statement returns: it fails on
 * that connection until the connection goes) and 26000 (a statement the server no longer knows).
 */
const STALE_STATEMENTS = new Set(['0A000', '26000']);

/** SQLSTATE classes that leave the connection in doubt: connection exception, invalid transaction state (an aborted transaction left open), operator intervention's shutdowns, internal error. */
const DOUBTFUL_CLASSES = ['08', '25', '57P', 'XX'];

/**
 * Whether the connection a statement failed on is still good: the server answered with an error
 * of the statement, not FATAL or PANIC (which end the session), outside DOUBTFUL_CLASSES and not
 * about stale prepared statements. Decided on the SQLSTATE: the severity word is translated when
 * the server's lc_messages is not English. A client-side timeout, a socket error or anything the
 * server did not send leaves the connection in doubt.
 */
export function keepsConnection(error: unknown): boolean {
  if (!(error instanceof DatabaseError) || typeof error.code !== 'string' || error.code.length !== 5) return false;
  const { code, severity } = error;
  if (severity === 'FATAL' || severity === 'PANIC') return false;
  return !DOUBTFUL_CLASSES.some((prefix) => code.startsWith(prefix)) && !STALE_STATEMENTS.has(code);
}

/**
 * A connection checked out of the pool for one statement or one transaction. It listens for the
 * server ending it: a checked-out connection has no listener of the pool's, and ended between two
 * statements (a restart, a failover) its 'error' event would end the process. Heard here, the next
 * statement fails and the connection is dropped on release, as is one marked with drop().
 */
class CheckedOut {
  private broken: Error | undefined;
  private readonly onError = (error: Error): void => this.drop(error);

  private constructor(readonly client: PoolClient) {
    client.on('error', this.onError);
  }

  /** `onWait` is told how long the check-out waited, also when it failed (a pool timeout is the longest wait). */
  static async from(pool: Pool, onWait?: (waitMs: number) => void): Promise<CheckedOut> {
    const askedAt = onWait ? performance.now() : 0;
    try {
      return new CheckedOut(await pool.connect());
    } finally {
      try {
        onWait?.(performance.now() - askedAt);
      } catch {
        // A metric never fails a statement nor keeps its connection checked out.
      }
    }
  }

  /** The connection is in doubt: the pool closes it on release instead of reusing it. */
  drop(reason: unknown): void {
    this.broken ??= reason instanceof Error ? reason : new Error(String(reason));
  }

  release(): void {
    this.client.removeListener('error', this.onError);
    this.client.release(this.broken);
  }
}

/**
 * Raw SQL on a pg.Pool that storage opens and closes itself (ADR 0013). The storage hot paths
 * are hand-written statements (one-statement commits, multi-row inserts, data-modifying CTEs,
 * FOR UPDATE SKIP LOCKED) and go to the pool directly: a QueryRunner per statement cost more
 * CPU than the statement's own I/O. TypeORM keeps the migrations (data-source.ts).
 */
export class PostgresDatabase implements SqlExecutor {
  private closing: Promise<void> | undefined;
  private readonly names = new StatementNames();
  private onConnectionWait: ((waitMs: number) => void) | undefined;

  constructor(private readonly pool: Pool) {
    // An idle connection that dies (database restart, network cut) is dropped by the pool and the
    // next query opens a new one; without a listener the 'error' event would end the process.
    pool.on('error', () => undefined);
  }

  /** Opens a pool on `settings` and checks one connection, so that start-up fails on an unreachable database. */
  static async open(settings: PostgresConnectionSettings): Promise<PostgresDatabase> {
    const database = new PostgresDatabase(new Pool(postgresPoolConfig(settings)));
    try {
      (await database.pool.connect()).release();
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  }

  /**
   * One statement on a pooled connection. pg.Pool's own query() drops the connection after ANY
   * failed statement, so every commit conflict, unique violation or refused check cost a new
   * connection (a backend started, every prepared statement parsed again); here only a
   * connection that may be broken is dropped (see keepsConnection).
   */
  async query<TRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<SqlResult<TRow>> {
    const connection = await CheckedOut.from(this.pool, this.onConnectionWait);
    try {
      return await run<TRow>(connection.client, this.names, text, params);
    } catch (error) {
      if (!keepsConnection(error)) connection.drop(error);
      throw error;
    } finally {
      connection.release();
    }
  }

  /** Runs `work` in one transaction on one connection; any throw rolls everything back. */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const connection = await CheckedOut.from(this.pool, this.onConnectionWait);
    const { client } = connection;
    try {
      await client.query('BEGIN').catch((error: unknown) => {
        // A BEGIN that failed leaves the connection in doubt (a timeout may answer later).
        connection.drop(error);
        throw error;
      });
      // The server's own verdict on the connection (stale prepared statements), even when `work` handles the error itself.
      const tx: SqlExecutor = {
        query: <TRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []) =>
          run<TRow>(client, this.names, text, params).catch((error: unknown) => {
            if (error instanceof DatabaseError && !keepsConnection(error)) connection.drop(error);
            throw error;
          }),
      };
      try {
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isQueryTimeout(error)) {
          // The connection went silent: it is dropped, and the server rolls back when it ends.
          connection.drop(error);
          throw error;
        }
        // A connection whose ROLLBACK failed is in an unknown state.
        await client.query('ROLLBACK').catch((rollbackError: unknown) => connection.drop(rollbackError));
        throw error;
      }
    } finally {
      connection.release();
    }
  }

  /** Tells `observer` how long each statement or transaction waited for a pool connection (oms_db_pool_wait_seconds). */
  observeConnectionWait(observer: (waitMs: number) => void): void {
    this.onConnectionWait = observer;
  }

  stats(): PoolStats {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  /** Ends every connection (idle ones at once, busy ones when released); later queries fail. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.pool.end();
    return this.closing;
  }
}

/** Collects the positional parameters ($1, $2, ...) of one statement. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** A parameter cast to jsonb (or json, which keeps the text as sent), serialised here so that pg sends it as text. */
  json(value: unknown, type: 'jsonb' | 'json' = 'jsonb'): string {
    return `${this.add(JSON.stringify(value ?? null))}::${type}`;
  }
}

/** The SQLSTATE, constraint and detail of a failed statement (a pg error, or TypeORM's QueryFailedError around one in migrations). */
export function pgErrorOf(error: unknown): { code?: string; constraint?: string; detail?: string } {
  if (typeof error !== 'object' || error === null) return {};
  const driverError = (error as { driverError?: unknown }).driverError;
  const source = (typeof driverError === 'object' && driverError !== null ? driverError : error) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { code: text(source['code']), constraint: text(source['constraint']), detail: text(source['detail']) };
}

export const UNIQUE_VIOLATION = '23505';

/** bigint and count(*) arrive as strings from pg; every value here is a safe integer by construction. */
export const toNumber = (value: unknown): number => (typeof value === 'number' ? value : Number(value));

export const toDate = (value: unknown): Date => (value instanceof Date ? new Date(value.getTime()) : new Date(String(value)));

export const toNullableDate = (value: unknown): Date | null => (value === null || value === undefined ? null : toDate(value));
