import { splitTopLevel, sqlStatements, tableName } from './sql-statements';

describe('sqlStatements', () => {
  it('splits statements and collapses whitespace', () => {
    expect(sqlStatements('CREATE TABLE a (id int);\n\n  DROP   TABLE b ;')).toEqual(['CREATE TABLE a (id int)', 'DROP TABLE b']);
  });

  it('blanks comments, string literals and dollar-quoted bodies so their text never matches a rule', () => {
    const sql = `-- DROP TABLE x;
      /* DROP TABLE y; */ COMMENT ON TABLE t IS 'DROP TABLE z; it''s fine';
      CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $body$ BEGIN DROP TABLE w; END $body$`;
    const statements = sqlStatements(sql);
    expect(statements.join(' ')).not.toMatch(/DROP TABLE/);
    expect(statements).toEqual([`COMMENT ON TABLE t IS ''`, `CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS ''`]);
  });
});

describe('splitTopLevel', () => {
  it('splits ALTER TABLE actions on commas outside parentheses', () => {
    expect(splitTopLevel('ADD COLUMN a numeric(10, 2), DROP COLUMN b')).toEqual(['ADD COLUMN a numeric(10, 2)', 'DROP COLUMN b']);
  });
});

describe('tableName', () => {
  it.each([
    ['orders', 'orders'],
    ['public.Orders', 'orders'],
    ['"Orders"', 'Orders'],
    ['public."Orders"', 'Orders'],
  ])('%s -> %s', (raw, name) => expect(tableName(raw)).toBe(name));
});
