import { MdlError } from '../errors/mdl-error.js';

/** Error classes whose DuckDB message quotes the offending data value (PHI risk). */
const DATA_ERROR_PREFIXES = [
  'Conversion Error',
  'Constraint Error',
  'Invalid Input Error',
  'Out of Range Error',
  'Mismatch Type Error',
  'Invalid Error',
];

/**
 * Removes data values from a DuckDB error message. DuckDB quotes the value that failed a cast or a
 * constraint (`Could not convert string 'Jane' to INT32`), which may be PHI; for those error
 * classes every quoted or parenthesised fragment of the first paragraph is replaced. The SQL
 * context that follows (`LINE 1: …`) is the compiled model SQL, which is user code, and is kept.
 */
export function redactDuckDbMessage(message: string): string {
  const split = message.indexOf('\n\nLINE ');
  const head = split === -1 ? message : message.slice(0, split);
  const tail = split === -1 ? '' : message.slice(split);
  if (!DATA_ERROR_PREFIXES.some((p) => head.startsWith(p))) return message;
  const redacted = head
    .replace(/'(?:[^']|'')*'/g, "'<redacted>'")
    .replace(/"(?:[^"]|"")*"/g, '"<redacted>"')
    .replace(/\([^()]*\)/g, '(<redacted>)');
  return redacted + tail;
}

/** Matches DuckDB's "Could not set lock on file" IO error, capturing the file and the pid. */
const LOCK_RE = /Could not set lock on file "([^"]+)"[^]*?(?:PID (\d+))?/;

/** Turns a DuckDB exception into an MdlError (E_DB_LOCKED, E_CANCELLED or E_SQL), never with row values. */
export function toMdlError(err: unknown, context: { readonly node?: string; readonly what?: string } = {}): MdlError {
  if (err instanceof MdlError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const lock = LOCK_RE.exec(raw);
  if (lock !== null) {
    const pid = /PID (\d+)/.exec(raw)?.[1];
    return new MdlError(
      'E_DB_LOCKED',
      `database file ${lock[1] ?? '?'} is locked by another process${pid === undefined ? '' : ` (pid ${pid})`}`,
      {
        ...(context.node === undefined ? {} : { node: context.node }),
        hint: 'wait for it to finish or use another target',
      },
    );
  }
  if (raw.startsWith('INTERRUPT Error')) {
    return new MdlError('E_CANCELLED', 'statement cancelled', {
      ...(context.node === undefined ? {} : { node: context.node }),
    });
  }
  const message = redactDuckDbMessage(raw);
  return new MdlError('E_SQL', context.what === undefined ? message : `${context.what}: ${message}`, {
    ...(context.node === undefined ? {} : { node: context.node }),
    hint: 'check the compiled SQL (mdl compile writes it under target/compiled)',
  });
}
