import { PostgresDatabase, type SqlExecutor } from '../postgres/postgres-database';

/** Runs `call` and returns the SQL the PostgreSQL drivers sent meanwhile, inside transactions too (not their BEGIN / COMMIT). */
export async function statementsOf(call: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const { query, transaction } = PostgresDatabase.prototype;
  const querySpy = jest.spyOn(PostgresDatabase.prototype, 'query').mockImplementation(function (this: PostgresDatabase, text, params) {
    sent.push(text);
    return query.call(this, text, params);
  });
  const transactionSpy = jest.spyOn(PostgresDatabase.prototype, 'transaction').mockImplementation(function (this: PostgresDatabase, work) {
    const recorded = (tx: SqlExecutor) =>
      work({
        query: (text, params) => {
          sent.push(text);
          return tx.query(text, params);
        },
      });
    return transaction.call(this, recorded);
  });
  try {
    await call();
    return sent;
  } finally {
    querySpy.mockRestore();
    transactionSpy.mockRestore();
  }
}

/** Shared buffers (hit or read) one run of `statement` touches: what it costs, independent of the machine's speed. */
export async function pagesRead(sql: PostgresDatabase, statement: string, params: readonly unknown[] = []): Promise<number> {
  const { rows } = await sql.query<{ 'QUERY PLAN': Array<{ Plan: Record<string, number> }> }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${statement}`,
    params,
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan ?? {};
  return (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0);
}
