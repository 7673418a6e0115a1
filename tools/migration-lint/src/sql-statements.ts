/**
 * Just enough SQL handling for the lint: comments and string literals removed (so that text
 * inside them never matches a rule), whitespace collapsed, split into statements.
 */
export function sqlStatements(sql: string): string[] {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const two = sql.slice(i, i + 2);
    if (two === '--') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (two === '/*') {
      const end = sql.indexOf('*/', i + 2);
      i = end === -1 ? sql.length : end + 2;
      out += ' ';
    } else if (sql[i] === "'") {
      // '' inside a literal is an escaped quote.
      let j = i + 1;
      while (j < sql.length && !(sql[j] === "'" && sql[j + 1] !== "'")) j += sql[j] === "'" ? 2 : 1;
      out += "''";
      i = j + 1;
    } else if (sql[i] === '$') {
      // Dollar-quoted body ($$ ... $$ or $tag$ ... $tag$), e.g. a function: not DDL of its own.
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        out += "''";
        i = end === -1 ? sql.length : end + tag.length;
      } else {
        out += sql[i++];
      }
    } else {
      out += sql[i++];
    }
  }
  return out
    .split(';')
    .map((statement) => statement.replace(/\s+/g, ' ').trim())
    .filter((statement) => statement.length > 0);
}

/** Splits on commas outside parentheses (the actions of one ALTER TABLE). */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

/** `public."Orders"` -> `orders`: the bare, unquoted, lower-case table name. */
export function tableName(raw: string): string {
  const last = raw.split('.').pop() ?? raw;
  return last.startsWith('"') ? last.slice(1, -1) : last.toLowerCase();
}
