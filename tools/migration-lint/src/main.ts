import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintMigrationSource, type Finding } from './migration-file';

export const MIGRATIONS_DIR = 'migrations';

/** Migration files: every .ts in migrations/ except the index, or those added since a git ref. */
export function migrationFiles(root: string, since?: string): string[] {
  const isMigration = (name: string) => /^\d{13}-[\w-]+\.ts$/.test(name);
  if (since) {
    const added = execFileSync('git', ['diff', '--name-only', '--diff-filter=A', since, '--', MIGRATIONS_DIR], { cwd: root, encoding: 'utf8' });
    return added
      .split('\n')
      .filter((path) => isMigration(path.split('/').pop() ?? ''))
      .map((path) => join(root, path));
  }
  return readdirSync(join(root, MIGRATIONS_DIR))
    .filter(isMigration)
    .sort()
    .map((name) => join(root, MIGRATIONS_DIR, name));
}

export function lintFiles(files: readonly string[]): Finding[] {
  return files.flatMap((file) => lintMigrationSource(file, readFileSync(file, 'utf8')));
}

/** `migration-lint [--since <git-ref>] [file...]`: exit 1 on any finding. */
export function main(argv: readonly string[], root = process.cwd()): number {
  const args = [...argv];
  const sinceAt = args.indexOf('--since');
  const since = sinceAt >= 0 ? args.splice(sinceAt, 2)[1] : undefined;
  const files = args.length > 0 ? args : migrationFiles(root, since);
  const findings = lintFiles(files);
  for (const finding of findings) console.error(`${finding.file}:${finding.line}  ${finding.rule}  ${finding.message}`);
  if (findings.length > 0) {
    console.error(`migration lint: ${findings.length} problem(s) in ${files.length} migration(s); see docs/migrations.md`);
    return 1;
  }
  console.log(`migration lint: ${files.length} migration(s) checked, no blocking or incompatible DDL`);
  return 0;
}
