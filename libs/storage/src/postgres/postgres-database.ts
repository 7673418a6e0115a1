import type { DataSource, QueryRunner } from 'typeorm';

export interface SqlResult<TRow> {
  readonly rows: TRow[];
  /** Rows inserted, updated or deleted (or returned, for a SELECT). */
  readonly rowCount: number;
}

/** Anything that runs one SQL statement: the pool, or one connection inside a transaction. */
export interface SqlExecutor {
  query<TRow = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<TRow>>;
}

async function run<TRow>(runner: QueryRunner, text: string, params: readonly unknown[]): Promise<SqlResult<TRow>> {
  const result = await runner.query(text, [...params], true);
  return { rows: (result.records ?? []) as TRow[], rowCount: result.affected ?? 0 };
}

/**
 * Raw SQL through TypeORM's pool. The storage hot paths are hand-written statements
 * (multi-row inserts, data-modifying CTEs, FOR UPDATE SKIP LOCKED); TypeORM provides the
 * DataSource, the pool, transactions and migrations.
 */
export class PostgresDatabase implements SqlExecutor {
  constructor(readonly dataSource: DataSource) {}

  async query<TRow = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<SqlResult<TRow>> {
    const runner = this.dataSource.createQueryRunner();
    try {
      return await run<TRow>(runner, text, params);
    } finally {
      await runner.release();
    }
  }

  /** Runs `work` in one transaction on one connection; any throw rolls everything back. */
  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const tx: SqlExecutor = { query: (text, params = []) => run(runner, text, params) };
      try {
        const result = await work(tx);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
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
