import { PostgresDatabase } from '../postgres/postgres-database';

/** Runs `call` and returns the SQL the PostgreSQL drivers sent meanwhile (outside transactions). */
export async function statementsOf(call: () => Promise<unknown>): Promise<string[]> {
  const query = jest.spyOn(PostgresDatabase.prototype, 'query');
  try {
    await call();
    return query.mock.calls.map(([text]) => text);
  } finally {
    query.mockRestore();
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
