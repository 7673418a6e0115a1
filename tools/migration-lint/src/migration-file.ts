import ts from 'typescript';
import { lintUpSql, type RuleId } from './rules';

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly rule: RuleId;
  readonly message: string;
}

/** TypeORM QueryRunner schema helpers whose DDL the lint cannot see: migrations write SQL instead. */
const SCHEMA_API = new Set([
  'createTable',
  'dropTable',
  'renameTable',
  'addColumn',
  'addColumns',
  'dropColumn',
  'dropColumns',
  'renameColumn',
  'changeColumn',
  'changeColumns',
  'createIndex',
  'createIndices',
  'dropIndex',
  'createForeignKey',
  'createForeignKeys',
  'createPrimaryKey',
  'createUniqueConstraint',
  'createCheckConstraint',
]);

/**
 * Lints the `up` method of every migration class in one file. A class marked with the JSDoc
 * tag `@contract` is a contract step (drops and renames allowed); `transaction = false`
 * marks a migration that runs outside a transaction (needed for CONCURRENTLY).
 */
export function lintMigrationSource(file: string, source: string): Finding[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const lineOf = (node: ts.Node) => sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;

  const visitClass = (declaration: ts.ClassLikeDeclaration) => {
    const up = declaration.members.find(
      (member): member is ts.MethodDeclaration => ts.isMethodDeclaration(member) && member.name.getText(sourceFile) === 'up',
    );
    if (!up?.body) return;
    const contract = ts.getJSDocTags(declaration).some((tag) => tag.tagName.text === 'contract');
    const transactionDisabled = declaration.members.some(
      (member) =>
        ts.isPropertyDeclaration(member) &&
        member.name.getText(sourceFile) === 'transaction' &&
        member.initializer?.kind === ts.SyntaxKind.FalseKeyword,
    );

    const sqls: { text: string; node: ts.Node }[] = [];
    const visitCall = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        if (method === 'query') {
          const text = node.arguments[0] ? literalText(node.arguments[0]) : undefined;
          if (text === undefined) {
            findings.push({ file, line: lineOf(node), rule: 'unchecked-schema-api', message: 'pass the SQL as a literal so that it can be checked' });
          } else {
            sqls.push({ text, node });
          }
        } else if (SCHEMA_API.has(method)) {
          findings.push({
            file,
            line: lineOf(node),
            rule: 'unchecked-schema-api',
            message: `queryRunner.${method}() hides its DDL from this check: write the SQL with queryRunner.query()`,
          });
        }
      }
      ts.forEachChild(node, visitCall);
    };
    visitCall(up.body);

    for (const finding of lintUpSql(
      sqls.map((sql) => sql.text),
      { contract, transactionDisabled },
    )) {
      findings.push({ file, line: lineOf(sqls[finding.sqlIndex].node), rule: finding.rule, message: finding.message });
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) visitClass(node);
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings.sort((a, b) => a.line - b.line);
}

/** The text of a string or template literal; interpolations become an opaque identifier. */
function literalText(node: ts.Expression): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((span) => `__value__${span.literal.text}`).join('');
  return undefined;
}
