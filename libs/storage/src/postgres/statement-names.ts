/**
 * Names for statement texts, so that every connection parses and plans a text once and then
 * only binds and executes it (ADR 0029): parse + plan of the big one-statement commits cost
 * more than their execution. Names are per process (a pg connection belongs to one pool) and
 * a text keeps its name; texts beyond `limit` run unnamed, which bounds what a statement built
 * with an unusual shape (many rows in one commit) leaves prepared on each connection.
 * Only statements with parameters are named (all hot ones have some).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(private readonly limit = 500) {}

  nameOf(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.limit) {
      name = `oms_${this.names.size + 1}`;
      this.names.set(text, name);
    }
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}
