import { lintMigrationSource } from './migration-file';

/** A migration class whose up runs these statements (and whose down drops anything: down is not linted). */
function migration(statements: string[], options: { contract?: boolean; transaction?: boolean } = {}): string {
  return `import type { MigrationInterface, QueryRunner } from 'typeorm';
${options.contract ? '/**\n * Removes what release N stopped using.\n * @contract\n */' : '/** An expand step. */'}
export class Change1800000000000 implements MigrationInterface {
  readonly name = 'Change1800000000000';
${options.transaction === false ? '  readonly transaction = false;\n' : ''}
  async up(queryRunner: QueryRunner): Promise<void> {
${statements.map((sql) => `    await queryRunner.query(\`${sql}\`);`).join('\n')}
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(\`DROP TABLE everything\`);
    await queryRunner.query(\`ALTER TABLE orders DROP COLUMN note\`);
  }
}
`;
}

const rulesOf = (source: string) => lintMigrationSource('m.ts', source).map((finding) => finding.rule);

describe('migration lint', () => {
  it('accepts a backwards-compatible expand step', () => {
    expect(
      rulesOf(
        migration([
          'CREATE TABLE refunds (id bigserial PRIMARY KEY, order_id text NOT NULL)',
          'CREATE INDEX refunds_order_idx ON refunds (order_id)',
          'ALTER TABLE refunds ADD COLUMN reason text NOT NULL',
          'ALTER TABLE orders_view ADD COLUMN note text',
          `ALTER TABLE orders_view ADD COLUMN channel text NOT NULL DEFAULT 'api'`,
          'ALTER TABLE orders_view ADD CONSTRAINT note_length CHECK (length(note) < 500) NOT VALID',
          'ALTER TABLE orders_view ALTER COLUMN note DROP DEFAULT',
        ]),
      ),
    ).toEqual([]);
  });

  it('flags CREATE INDEX without CONCURRENTLY on an existing table', () => {
    const findings = lintMigrationSource('m.ts', migration(['CREATE INDEX orders_note_idx ON public.orders_view (note)']));
    expect(findings).toEqual([
      {
        file: 'm.ts',
        line: 7,
        rule: 'create-index-not-concurrently',
        message: 'CREATE INDEX on existing table orders_view without CONCURRENTLY blocks writes while it builds',
      },
    ]);
    expect(rulesOf(migration(['CREATE UNIQUE INDEX IF NOT EXISTS u ON ONLY orders_view (note)']))).toEqual(['create-index-not-concurrently']);
  });

  it('accepts CREATE INDEX CONCURRENTLY outside a transaction, and flags it inside one', () => {
    const sql = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_note_idx ON orders_view (note)';
    expect(rulesOf(migration([sql], { transaction: false }))).toEqual([]);
    expect(rulesOf(migration([sql]))).toEqual(['concurrently-in-transaction']);
  });

  it('flags ADD COLUMN NOT NULL without a default on an existing table', () => {
    expect(rulesOf(migration(['ALTER TABLE orders_view ADD COLUMN channel text NOT NULL']))).toEqual(['add-column-not-null-without-default']);
    expect(rulesOf(migration(['ALTER TABLE orders_view ADD channel text NOT NULL, ADD COLUMN other int']))).toEqual([
      'add-column-not-null-without-default',
    ]);
  });

  it('flags column type changes, even in a contract step', () => {
    expect(rulesOf(migration(['ALTER TABLE orders_view ALTER COLUMN total_minor TYPE numeric']))).toEqual(['column-type-change']);
    expect(rulesOf(migration(['ALTER TABLE orders_view ALTER total_minor SET DATA TYPE numeric'], { contract: true }))).toEqual([
      'column-type-change',
    ]);
  });

  it.each([
    'DROP TABLE legacy_orders',
    'DROP TABLE IF EXISTS public.legacy_orders CASCADE',
    'ALTER TABLE orders_view DROP COLUMN note',
    'ALTER TABLE orders_view DROP note',
    'ALTER TABLE orders_view DROP COLUMN IF EXISTS note',
    'ALTER TABLE orders_view RENAME COLUMN note TO remark',
    'ALTER TABLE orders_view RENAME TO orders',
  ])('flags "%s" outside a contract step and allows it in one', (sql) => {
    expect(rulesOf(migration([sql]))).toEqual(['destructive-outside-contract']);
    expect(rulesOf(migration([sql], { contract: true }))).toEqual([]);
  });

  it('does not mistake dropping a constraint, default or NOT NULL for dropping a column', () => {
    expect(
      rulesOf(
        migration([
          'ALTER TABLE orders_view DROP CONSTRAINT note_length',
          'ALTER TABLE orders_view ALTER COLUMN note DROP NOT NULL',
          'ALTER TABLE orders_view ALTER COLUMN note DROP DEFAULT',
        ]),
      ),
    ).toEqual([]);
  });

  it('ignores DDL in comments, string literals and function bodies', () => {
    expect(
      rulesOf(
        migration([
          '-- DROP TABLE orders_view',
          `COMMENT ON COLUMN orders_view.note IS 'was: DROP COLUMN note'`,
          'CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$',
        ]),
      ),
    ).toEqual([]);
  });

  it('checks up only: down may drop anything', () => {
    expect(rulesOf(migration([]))).toEqual([]);
  });

  it('reads template literals with interpolations', () => {
    const source = migration([]).replace(
      'async up(queryRunner: QueryRunner): Promise<void> {\n',
      'async up(queryRunner: QueryRunner): Promise<void> {\n    const table = "orders_view";\n    await queryRunner.query(`CREATE INDEX idx ON ${table} (note)`);\n',
    );
    expect(rulesOf(source)).toEqual(['create-index-not-concurrently']);
  });

  it('refuses SQL it cannot read and TypeORM schema helpers that hide their DDL', () => {
    const source = migration([]).replace(
      'async up(queryRunner: QueryRunner): Promise<void> {\n',
      'async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(buildSql());\n    await queryRunner.dropColumn("orders_view", "note");\n',
    );
    const findings = lintMigrationSource('m.ts', source);
    expect(findings.map((finding) => [finding.line, finding.rule])).toEqual([
      [7, 'unchecked-schema-api'],
      [8, 'unchecked-schema-api'],
    ]);
    expect(findings[1].message).toMatch(/queryRunner\.dropColumn\(\)/);
  });

  it('reports every problem of a migration with its line', () => {
    const findings = lintMigrationSource(
      'm.ts',
      migration(['CREATE INDEX a ON orders_view (note)', 'ALTER TABLE sagas ADD COLUMN x int NOT NULL, DROP COLUMN kind']),
    );
    expect(findings.map((finding) => [finding.line, finding.rule])).toEqual([
      [7, 'create-index-not-concurrently'],
      [8, 'add-column-not-null-without-default'],
      [8, 'destructive-outside-contract'],
    ]);
  });

  it('ignores files without a migration class', () => {
    expect(lintMigrationSource('index.ts', 'export const OMS_MIGRATIONS = [];')).toEqual([]);
  });
});
