import { StatementNames } from './statement-names';

describe('StatementNames', () => {
  it('gives a text the same name every time and another text another name', () => {
    const names = new StatementNames();
    const first = names.nameOf('SELECT 1 WHERE $1');
    expect(first).toBe('oms_1');
    expect(names.nameOf(`SELECT ${1} WHERE $1`)).toBe(first);
    expect(names.nameOf('SELECT 2 WHERE $1')).toBe('oms_2');
  });

  it('leaves texts beyond its limit unnamed and keeps the names it gave', () => {
    const names = new StatementNames(2);
    names.nameOf('a');
    names.nameOf('b');
    expect(names.nameOf('c')).toBeUndefined();
    expect(names.nameOf('a')).toBe('oms_1');
    expect(names.size).toBe(2);
  });
});
