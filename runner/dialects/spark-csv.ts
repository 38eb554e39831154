import { createHash } from 'node:crypto';

/**
 * Seeds on Spark. Spark SQL has no table function that reads a CSV file with a header
 * (`csv.\`path\`` takes no options), so `readCsvSelect` returns a SELECT over a session temporary
 * view plus a directive comment naming the file; the Spark connection creates that view
 * (`USING csv OPTIONS (header …)`) on the same session right before running the statement. The
 * dialect stays pure and the SQL stays one statement wherever a strategy embeds it.
 */
export interface CsvDirective {
  /** Temporary view name the SELECT reads. */
  readonly view: string;
  /** Absolute path of the CSV file. */
  readonly path: string;
  /** Column → type overrides (seed `column_types`). */
  readonly types: Readonly<Record<string, string>>;
}

const OPEN = '/*mdl:csv ';
const DIRECTIVE_RE = /\/\*mdl:csv ([A-Za-z0-9_-]+) \*\//g;

/** `SELECT * FROM <temp view>` preceded by the directive comment for the connection. */
export function csvViewDirective(
  absolutePath: string,
  columnTypes: Readonly<Record<string, string>> | undefined,
): string {
  const types = columnTypes ?? {};
  const view = `__mdl_csv_${createHash('sha256')
    .update(JSON.stringify([absolutePath, types]))
    .digest('hex')
    .slice(0, 16)}`;
  const payload = Buffer.from(JSON.stringify({ view, path: absolutePath, types }), 'utf8').toString(
    'base64url',
  );
  return `${OPEN}${payload} */ SELECT * FROM \`${view}\``;
}

/** Every directive in a statement (deduplicated by view name). */
export function extractCsvDirectives(sql: string): readonly CsvDirective[] {
  if (!sql.includes(OPEN)) return [];
  const seen = new Map<string, CsvDirective>();
  for (const m of sql.matchAll(DIRECTIVE_RE)) {
    const parsed = JSON.parse(
      Buffer.from(m[1] ?? '', 'base64url').toString('utf8'),
    ) as CsvDirective;
    seen.set(parsed.view, parsed);
  }
  return [...seen.values()];
}

/** Type names people write for DuckDB seeds, in Spark's spelling (VARCHAR needs a length there). */
export function sparkTypeName(type: string): string {
  const t = type.trim().toUpperCase();
  switch (t) {
    case 'VARCHAR':
    case 'TEXT':
    case 'CHAR':
    case 'BPCHAR':
      return 'STRING';
    case 'INTEGER':
    case 'INT4':
      return 'INT';
    case 'INT8':
    case 'LONG':
      return 'BIGINT';
    case 'FLOAT8':
      return 'DOUBLE';
    case 'BOOL':
      return 'BOOLEAN';
    default:
      return type;
  }
}

/** Statements that create the directive's temporary view, given the inferred columns. */
export function csvViewStatements(
  d: CsvDirective,
  quote: (name: string) => string,
  literal: (value: string) => string,
): {
  /** The file read with type inference (only its schema is used). */
  readonly inferred: string;
  readonly inferredView: string;
  /** The file read as text, so overrides such as VARCHAR keep leading zeros ('00100'). */
  readonly text: string;
  readonly typed: (columns: readonly { readonly name: string; readonly type: string }[]) => string;
} {
  const inferredView = `${d.view}__inferred`;
  const textView = `${d.view}__text`;
  // RFC 4180 quoting (doubled quotes), multi-line fields, and a hard failure on malformed rows.
  const reader = (view: string, infer: boolean): string =>
    [
      `CREATE OR REPLACE TEMPORARY VIEW ${quote(view)}`,
      'USING csv',
      `OPTIONS (path ${literal(d.path)}, header 'true', inferSchema '${infer}', multiLine 'true', escape '"', mode 'FAILFAST')`,
    ].join('\n');
  const typed = (columns: readonly { readonly name: string; readonly type: string }[]): string => {
    const list = columns.map((c) => {
      const t = d.types[c.name];
      return `CAST(${quote(c.name)} AS ${t === undefined ? c.type : sparkTypeName(t)}) AS ${quote(c.name)}`;
    });
    return `CREATE OR REPLACE TEMPORARY VIEW ${quote(d.view)} AS SELECT ${list.join(', ')} FROM ${quote(textView)}`;
  };
  return {
    inferred: reader(inferredView, true),
    inferredView,
    text: reader(textView, false),
    typed,
  };
}
