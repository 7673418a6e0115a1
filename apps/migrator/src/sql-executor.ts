/** The raw SQL the maintenance commands need; PostgresDatabase from @oms/storage provides it. */
export interface Sql {
  query<TRow = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<{ readonly rows: TRow[]; readonly rowCount: number }>;
}

