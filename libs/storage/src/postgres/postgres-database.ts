import type { Pool, PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

export interface SqlResult<TRow> {
  readonly rows: TRow[];
  /** Rows inserted, updated or deleted (or returned, for a SELECT). */
  readonly rowCount: number;
}

/** Anything that runs one SQL statement: the pool, or one connection inside a transaction. */
export interface SqlExecutor {
  query<TRow = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<TRow>>;
}

async function run<TRow>(client: Pool | PoolClient, text: string, params: readonly unknown[]): Promise<SqlResult<TRow>> {
  const result = await client.query(text, [...params]);
  return { rows: result.rows as TRow[], rowCount: result.rowCount ?? 0 };
}

/** TypeORM's PostgreSQL driver keeps its pg.Pool as `master` once the DataSource is initialised. */
export function poolOf(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('the PostgreSQL DataSource is not initialised (no pool)');
  return pool;
}

/**
 * Raw SQL on the pg.Pool of TypeORM's DataSource. The storage hot paths are hand-written
 * statements (multi-row inserts, data-modifying CTEs, FOR UPDATE SKIP LOCKED) and go to the
 * pool directly: a QueryRunner per statement cost more CPU than the statement's own I/O.
 * TypeORM provides the DataSource, the pool settings and the migrations.
 */
export class PostgresDatabase implements SqlExecutor {
  constructor(readonly dataSource: DataSource) {}

  query<TRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<SqlResult<TRow>> {
    return run<TRow>(poolOf(this.dataSource), text, params);
  }

  /** Runs `work` in one transaction on one connection; any throw rolls everything back. */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await poolOf(this.dataSource).connect();
    // A connection whose ROLLBACK failed is in an unknown state: the pool drops it.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx: SqlExecutor = { query: (text, params = []) => run(client, text, params) };
      try {
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
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

/** The SQLSTATE, constraint and detail of a failed statement (TypeORM wraps the pg error). */
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
