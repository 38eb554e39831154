/**
 * Every error mdl raises on purpose carries a stable code and, where known, the place it came
 * from (file/line/node/config row) plus a hint saying what to do next.
 */
export interface ErrorLocation {
  /** Path relative to the project directory when inside it. */
  readonly file?: string;
  /** 1-based line number. */
  readonly line?: number;
  /** 1-based column number. */
  readonly column?: number;
  /** unique id or name of the node concerned. */
  readonly node?: string;
  /** 1-based data row (CSV config rows, seed rows; the header is row 0). */
  readonly row?: number;
}

/** Stable error codes. Add new ones here so they stay unique and greppable. */
export type MdlErrorCode =
  | 'E_USAGE'
  | 'E_INTERNAL'
  | 'E_FILE_NOT_FOUND'
  | 'E_YAML_PARSE'
  | 'E_SCHEMA'
  | 'E_PROJECT'
  | 'E_TARGET'
  | 'E_ENV_VAR'
  | 'E_SECRET'
  | 'E_TEMPLATE_SYNTAX'
  | 'E_TEMPLATE_RENDER'
  | 'E_UNDEFINED_VAR'
  | 'E_UNKNOWN_REF'
  | 'E_UNKNOWN_SOURCE'
  | 'E_DUPLICATE_NODE'
  | 'E_CYCLE'
  | 'E_SELECTOR'
  | 'E_CONFIG'
  | 'E_CONNECTION'
  | 'E_DB_LOCKED'
  | 'E_SQL'
  | 'E_DUPLICATE_KEYS'
  | 'E_SCHEMA_CHANGE'
  | 'E_SEED'
  | 'E_TEST'
  | 'E_CANCELLED'
  | 'E_INGEST'
  | 'E_CONFIG_ROW'
  | 'E_HTTP'
  | 'E_SNAPSHOT'
  | 'E_WRITE';

/** The one error type mdl throws on purpose. */
export class MdlError extends Error implements ErrorLocation {
  readonly code: MdlErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly node?: string;
  readonly row?: number;
  /** What the user should do next. */
  readonly hint?: string;

  constructor(
    code: MdlErrorCode,
    message: string,
    where: ErrorLocation & { readonly hint?: string; readonly cause?: unknown } = {},
  ) {
    super(message, where.cause === undefined ? undefined : { cause: where.cause });
    this.name = 'MdlError';
    this.code = code;
    if (where.file !== undefined) this.file = where.file;
    if (where.line !== undefined) this.line = where.line;
    if (where.column !== undefined) this.column = where.column;
    if (where.node !== undefined) this.node = where.node;
    if (where.row !== undefined) this.row = where.row;
    if (where.hint !== undefined) this.hint = where.hint;
  }
}

/** `file:line:col` (or whatever part is known), for messages. */
export function formatLocation(loc: ErrorLocation): string {
  const parts: string[] = [];
  if (loc.file !== undefined) {
    let s = loc.file;
    if (loc.line !== undefined) s += `:${loc.line}`;
    if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
    parts.push(s);
  }
  if (loc.row !== undefined) parts.push(`row ${loc.row}`);
  if (loc.node !== undefined) parts.push(`node ${loc.node}`);
  return parts.join(', ');
}

/** One-line-per-fact rendering used by the CLI: `E_CODE file:line: message (hint)`. */
export function formatError(err: unknown): string {
  if (err instanceof MdlError) {
    const where = formatLocation(err);
    const head =
      where === '' ? `${err.code}: ${err.message}` : `${err.code} ${where}: ${err.message}`;
    return err.hint === undefined ? head : `${head}\n  hint: ${err.hint}`;
  }
  if (err instanceof Error) return `E_INTERNAL: ${err.message}`;
  return `E_INTERNAL: ${String(err)}`;
}

export function isMdlError(err: unknown): err is MdlError {
  return err instanceof MdlError;
}
