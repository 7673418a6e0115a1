import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main, migrationFiles } from './main';

const repoRoot = resolve(__dirname, '../../..');

describe('migration lint on files', () => {
  let errors: string[];
  let logs: string[];
  beforeEach(() => {
    errors = [];
    logs = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    jest.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  it('passes every migration of this repository', () => {
    const files = migrationFiles(repoRoot);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect(files.some((file) => file.endsWith('index.ts'))).toBe(false);
    expect(main([], repoRoot)).toBe(0);
    expect(errors).toEqual([]);
    expect(logs[0]).toMatch(/migration\(s\) checked/);
  });

  it('fails with file, line and rule for a blocking migration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oms-migration-lint-'));
    try {
      mkdirSync(join(dir, 'migrations'));
      writeFileSync(
        join(dir, 'migrations', '1800000000000-bad.ts'),
        `export class Bad1800000000000 {\n  async up(queryRunner: any) {\n    await queryRunner.query('ALTER TABLE events DROP COLUMN metadata');\n  }\n  async down() {}\n}\n`,
      );
      expect(main([], dir)).toBe(1);
      expect(errors[0]).toBe(
        `${join(dir, 'migrations', '1800000000000-bad.ts')}:3  destructive-outside-contract  DROP COLUMN events.metadata outside a contract migration breaks the running release`,
      );
      expect(errors[1]).toMatch(/1 problem\(s\) in 1 migration\(s\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
