import { splitTopLevel, sqlStatements, tableName } from './sql-statements';

export type RuleId =
  | 'create-index-not-concurrently'
  | 'concurrently-in-transaction'
  | 'add-column-not-null-without-default'
  | 'column-type-change'
  | 'destructive-outside-contract'
  | 'unchecked-schema-api';

export interface SqlContext {
  /** The migration is marked `@contract`: drops and renames are its purpose. */
  readonly contract: boolean;
  /** The migration runs outside a transaction (`transaction = false`). */
  readonly transactionDisabled: boolean;
}

export interface SqlFinding {
  readonly rule: RuleId;
  readonly message: string;
  /** Index of the SQL string within the migration's `up` (for the line number). */
  readonly sqlIndex: number;
}

const NAME = String.raw`(?:"[^"]+"|[A-Za-z_][\w$]*)(?:\.(?:"[^"]+"|[A-Za-z_][\w$]*))?`;
const CREATE_TABLE = new RegExp(String.raw`^CREATE (?:UNLOGGED |TEMP |TEMPORARY )?TABLE (?:IF NOT EXISTS )?(${NAME})`, 'i');
const CREATE_INDEX = new RegExp(
  String.raw`^CREATE (?:UNIQUE )?INDEX (CONCURRENTLY )?(?:IF NOT EXISTS )?(?:${NAME} )?ON (?:ONLY )?(${NAME})`,
  'i',
);
const ALTER_TABLE = new RegExp(String.raw`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(${NAME}) (.*)$`, 'i');
const DROP_TABLE = new RegExp(String.raw`^DROP TABLE (?:IF EXISTS )?(.+?)(?: CASCADE| RESTRICT)?$`, 'i');

/**
 * Checks the SQL of one migration's `up`, statement by statement, in order: a table created
 * earlier in the same migration is new (nobody reads or writes it yet), so building an index
 * on it or adding a NOT NULL column to it blocks nothing.
 */
export function lintUpSql(sqls: readonly string[], context: SqlContext): SqlFinding[] {
  const findings: SqlFinding[] = [];
  const created = new Set<string>();
  sqls.forEach((sql, sqlIndex) => {
    const report = (rule: RuleId, message: string) => findings.push({ rule, message, sqlIndex });
    for (const statement of sqlStatements(sql)) {
      const createTable = CREATE_TABLE.exec(statement);
      if (createTable) {
        created.add(tableName(createTable[1]));
        continue;
      }

      const createIndex = CREATE_INDEX.exec(statement);
      if (createIndex) {
        const table = tableName(createIndex[2]);
        if (createIndex[1] && !context.transactionDisabled) {
          report('concurrently-in-transaction', `CREATE INDEX CONCURRENTLY on ${table} cannot run inside a transaction: set \`transaction = false\` on the migration`);
        }
        if (!createIndex[1] && !created.has(table)) {
          report('create-index-not-concurrently', `CREATE INDEX on existing table ${table} without CONCURRENTLY blocks writes while it builds`);
        }
        continue;
      }

      const dropTable = DROP_TABLE.exec(statement);
      if (dropTable && !context.contract) {
        report('destructive-outside-contract', `DROP TABLE ${dropTable[1]} outside a contract migration breaks the running release`);
        continue;
      }

      const alter = ALTER_TABLE.exec(statement);
      if (alter) {
        const table = tableName(alter[1]);
        for (const action of splitTopLevel(alter[2])) lintAlterAction(table, action, created.has(table), context, report);
      }
    }
  });
  return findings;
}

function lintAlterAction(
  table: string,
  action: string,
  isNewTable: boolean,
  context: SqlContext,
  report: (rule: RuleId, message: string) => void,
): void {
  const addColumn = /^ADD (?:COLUMN )?(?:IF NOT EXISTS )?(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|CHECK\b|FOREIGN\b|EXCLUDE\b)("[^"]+"|\w+)(.*)$/i.exec(action);
  if (addColumn) {
    const rest = addColumn[2];
    if (/\bNOT NULL\b/i.test(rest) && !/\bDEFAULT\b/i.test(rest) && !/\bGENERATED\b/i.test(rest) && !isNewTable) {
      report(
        'add-column-not-null-without-default',
        `ADD COLUMN ${addColumn[1]} NOT NULL without a DEFAULT fails on ${table} with rows and breaks writers of the running release`,
      );
    }
    return;
  }
  const typeChange = /^ALTER (?:COLUMN )?("[^"]+"|\w+) (?:SET DATA )?TYPE\b/i.exec(action);
  if (typeChange) {
    report('column-type-change', `changing the type of ${table}.${typeChange[1]} rewrites the table under an exclusive lock and breaks readers; add a new column instead`);
    return;
  }
  if (context.contract) return;
  const dropColumn = /^DROP (?:COLUMN )?(?:IF EXISTS )?(?!CONSTRAINT\b|DEFAULT\b|NOT NULL\b|IDENTITY\b|EXPRESSION\b)("[^"]+"|\w+)/i.exec(action);
  if (dropColumn) {
    report('destructive-outside-contract', `DROP COLUMN ${table}.${dropColumn[1]} outside a contract migration breaks the running release`);
    return;
  }
  if (/^RENAME\b/i.test(action)) {
    report('destructive-outside-contract', `renaming on ${table} (${action}) outside a contract migration breaks the running release`);
  }
}
