import { MdlError } from '../errors/mdl-error.js';

/** The parts of a Spark / Databricks error that are safe and useful to show. */
export interface SparkErrorInfo {
  /** Spark error class such as `TABLE_OR_VIEW_NOT_FOUND`, when the engine sent one. */
  readonly errorClass?: string;
  /** First paragraph of the message with string literals redacted; no stack trace, no plan. */
  readonly message: string;
}

const MAX_MESSAGE = 1200;

/** `SomeException: [ERROR_CLASS] ` anywhere in the text (group 1 = the class). */
const CLASSIFIED_RE = /[\w$.]+(?:Exception|Error): \[([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)*)\] /g;

/**
 * Reduces a Thrift server error text to its readable head: drops the Java wrapper
 * (`HiveSQLException: Error running query: …`), exception class names, the stack trace and the
 * logical plan dump, then redacts every single-quoted literal before the `== SQL ==` context.
 * Spark quotes identifiers with backticks and data values with single quotes
 * (`[CAST_INVALID_INPUT] The value 'Jane' …`), so this keeps table/column names and removes
 * values, which may be PHI.
 */
export function parseSparkError(raw: string): SparkErrorInfo {
  let text = raw.replace(/\r/g, '');
  // A failed job wraps the real error in "Caused by: …" chains (TASK_WRITE_FAILED → CAST_…):
  // the innermost classified exception is the one that explains the failure.
  let last: RegExpExecArray | undefined;
  for (const m of text.matchAll(CLASSIFIED_RE)) last = m;
  if (last !== undefined && last.index > 0)
    text = text.slice(last.index + last[0].length - last[1]!.length - 3);
  const stack = text.search(/\n\s*at [\w$.]+\(/);
  if (stack !== -1) text = text.slice(0, stack);
  const driver = text.indexOf('\n\nDriver stacktrace:');
  if (driver !== -1) text = text.slice(0, driver);
  text = text
    .replace(/^(?:[\w$.]+Exception: )?Error running query: /, '')
    .replace(/^(?:[\w$.]+Exception:\s*)+/, '');
  const classMatch = /^\[([A-Z0-9_]+(?:\.[A-Z0-9_]+)?)\]\s*/.exec(text);
  const errorClass = classMatch?.[1];
  if (classMatch !== null) text = text.slice(classMatch[0].length);
  // Spark repeats the class after the exception name: "[X] org…AnalysisException: [X] msg".
  text = text.replace(/^(?:[\w$.]+(?:Exception|Error):\s*)+/, '');
  if (errorClass !== undefined && text.startsWith(`[${errorClass}]`)) {
    text = text.slice(errorClass.length + 2).trimStart();
  }
  // Analysis errors append the unresolved plan after "; line N pos M;".
  const plan = /; line \d+ pos \d+;\n/.exec(text);
  if (plan !== null) text = text.slice(0, plan.index + plan[0].length - 2);
  const sqlAt = text.indexOf('\n== SQL');
  const head = sqlAt === -1 ? text : text.slice(0, sqlAt);
  const tail = sqlAt === -1 ? '' : text.slice(sqlAt);
  let message = (redactLiterals(head) + tail).trim();
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE)}…`;
  if (message === '') message = 'the engine reported an error without a message';
  return errorClass === undefined ? { message } : { errorClass, message };
}

/** Replaces single-quoted literals ('…', with '' or \' escapes) by '<redacted>'. */
export function redactLiterals(text: string): string {
  return text.replace(/'(?:[^'\\]|\\.|'')*'/g, "'<redacted>'");
}

/** Context attached to engine errors. */
export interface SparkErrorContext {
  readonly node?: string;
  /** Short description of what was being done (`executing statement`). */
  readonly what?: string;
  /** Engine name for messages (`Spark`, `Databricks`). */
  readonly engine: string;
}

/**
 * Turns an engine error text into an MdlError (E_DUPLICATE_KEYS, E_CANCELLED or E_SQL).
 */
export function sparkErrorToMdl(raw: string, ctx: SparkErrorContext): MdlError {
  const info = parseSparkError(raw);
  // No `cause`: the raw text may quote data values.
  const where = ctx.node === undefined ? {} : { node: ctx.node };
  const prefix = ctx.what === undefined ? '' : `${ctx.what}: `;
  const cls = info.errorClass === undefined ? '' : `[${info.errorClass}] `;
  if (info.errorClass === 'DELTA_MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW_IN_MERGE') {
    return new MdlError(
      'E_DUPLICATE_KEYS',
      `${prefix}${cls}several source rows match one target row in MERGE`,
      {
        ...where,
        hint: 'make unique_key unique in the model output (deduplicate, or widen unique_key)',
      },
    );
  }
  if (/\bcancell?ed\b/i.test(info.message) && /job|operation|query|statement/i.test(info.message)) {
    return new MdlError('E_CANCELLED', `${prefix}statement cancelled`, where);
  }
  return new MdlError('E_SQL', `${prefix}${ctx.engine} error ${cls}${info.message}`, {
    ...where,
    hint: 'check the compiled SQL (mdl compile writes it under target/compiled)',
  });
}
