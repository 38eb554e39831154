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

/** Words before a quoted fragment that make it an identifier (kept), not a data value. */
const IDENTIFIER_WORDS = new Set([
  'column',
  'columns',
  'table',
  'view',
  'schema',
  'function',
  'type',
  'file',
  'name',
]);

/**
 * Removes data values from a DuckDB error message. DuckDB quotes the value that failed a cast or a
 * constraint (`Could not convert string 'Jane' to INT32`, `Duplicate key "id: 5"`) and CSV errors
 * echo the whole input line (`Original Line: …`), any of which may be PHI. For those error
 * classes, quoted fragments are replaced unless they follow an identifier word (`column "dob"`),
 * parenthesised operands are replaced, and `Original Line:` lines are dropped everywhere. The SQL
 * context (`LINE 1: …`) is the compiled model SQL — user code — and is kept.
 */
export function redactDuckDbMessage(message: string): string {
  const lines = message.split('\n').filter((l) => !/^\s*Original Line:/.test(l));
  const text = lines.join('\n');
  const split = text.indexOf('\n\nLINE ');
  const head = split === -1 ? text : text.slice(0, split);
  const tail = split === -1 ? '' : text.slice(split);
  if (!DATA_ERROR_PREFIXES.some((p) => head.startsWith(p))) return text;
  const redacted = head
    .replace(
      /(\w+)?(\s*)('(?:[^']|'')*'|"(?:[^"]|"")*")/g,
      (m, word: string | undefined, sp: string, q: string) =>
        word !== undefined && IDENTIFIER_WORDS.has(word.toLowerCase())
          ? m
          : `${word ?? ''}${sp}${q[0]}<redacted>${q[0]}`,
    )
    .replace(/\([^()]*\)/g, '(<redacted>)');
  return redacted + tail;
}

/** Matches DuckDB's "Could not set lock on file" IO error, capturing the file and the pid. */
const LOCK_RE = /Could not set lock on file "([^"]+)"[^]*?(?:PID (\d+))?/;

/** Turns a DuckDB exception into an MdlError (E_DB_LOCKED, E_CANCELLED or E_SQL), never with row values. */
export function toMdlError(
  err: unknown,
  context: { readonly node?: string; readonly what?: string } = {},
): MdlError {
  if (err instanceof MdlError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const lock = LOCK_RE.exec(raw);
  if (lock !== null) {
    const pid = /PID (\d+)/.exec(raw)?.[1];
    const file = lock[1] ?? '?';
    return new MdlError(
      'E_DB_LOCKED',
      `database file ${file} is locked by another process${pid === undefined ? '' : ` (pid ${pid})`} — wait for it to finish or use another target`,
      {
        ...(context.node === undefined ? {} : { node: context.node }),
        hint: 'DuckDB lets one process write a database file at a time; a target with another `path` avoids the wait',
      },
    );
  }
  if (raw.startsWith('INTERRUPT Error')) {
    return new MdlError('E_CANCELLED', 'statement cancelled', {
      ...(context.node === undefined ? {} : { node: context.node }),
    });
  }
  const message = redactDuckDbMessage(raw);
  return new MdlError(
    'E_SQL',
    context.what === undefined ? message : `${context.what}: ${message}`,
    {
      ...(context.node === undefined ? {} : { node: context.node }),
      hint: 'check the compiled SQL (mdl compile writes it under target/compiled)',
    },
  );
}
