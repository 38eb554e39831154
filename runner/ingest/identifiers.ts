/**
 * Strict patterns for every name that ends up in SQL or in a file path. Values from
 * load_config.csv are checked against these BEFORE any SQL is built; quoting by the source's
 * dialect (knex) is a second line of defence, not the first.
 */

/** SQL identifier part (database, schema, table, column): letters, digits, underscore. */
export const SQL_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Datasource code: lower-case letters/digits with single inner hyphens (`hos-a`). */
export const DATASOURCE_CODE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Relative bronze folder: one or more segments of letters, digits, `_` or `-`, separated by `/`.
 * No `.`/`..` segments, no leading slash, no backslash.
 */
export const RELATIVE_FOLDER = /^[A-Za-z0-9_-]{1,64}(?:\/[A-Za-z0-9_-]{1,64}){0,7}$/;

/** True when `name` is a safe SQL identifier part. */
export function isSqlIdentifier(name: string): boolean {
  return SQL_IDENTIFIER.test(name);
}

/** True when `code` is a valid datasource code. */
export function isDatasourceCode(code: string): boolean {
  return DATASOURCE_CODE.test(code);
}

/** True when `p` is a safe relative folder path (no traversal). */
export function isRelativeFolder(p: string): boolean {
  return RELATIVE_FOLDER.test(p);
}
