import { MdlError, type ErrorLocation } from '../errors/mdl-error.js';

/** A parsed `warn_if` / `error_if` condition such as `>0`, `>=10`, `!=0`, `= 0`. */
export interface Threshold {
  readonly op: '>' | '>=' | '<' | '<=' | '=' | '!=';
  readonly value: number;
}

const RE = /^\s*(>=|<=|!=|<>|==|=|>|<)\s*(\d+)\s*$/;

/** Parses a threshold; anything else is E_CONFIG at `where`. */
export function parseThreshold(text: string, key: string, where: ErrorLocation): Threshold {
  const m = RE.exec(text);
  if (m === null) {
    throw new MdlError('E_CONFIG', `${key} '${text}' is not a threshold`, {
      ...where,
      hint: `write a comparison with a whole number, e.g. ${key}: ">0", ">=10" or "!=0"`,
    });
  }
  const raw = m[1]!;
  const op = raw === '<>' ? '!=' : raw === '==' ? '=' : (raw as Threshold['op']);
  return { op, value: Number(m[2]) };
}

/** Does `failures` meet the threshold? */
export function meets(t: Threshold, failures: number): boolean {
  switch (t.op) {
    case '>':
      return failures > t.value;
    case '>=':
      return failures >= t.value;
    case '<':
      return failures < t.value;
    case '<=':
      return failures <= t.value;
    case '=':
      return failures === t.value;
    case '!=':
      return failures !== t.value;
  }
}

/** Test outcome by dbt's rules: error severity → fail if error_if, else warn if warn_if, else pass. */
export function testStatus(
  failures: number,
  config: {
    readonly severity?: 'warn' | 'error';
    readonly warn_if?: string;
    readonly error_if?: string;
  },
  where: ErrorLocation,
): 'pass' | 'warn' | 'fail' {
  const warnIf = parseThreshold(config.warn_if ?? '!=0', 'warn_if', where);
  const errorIf = parseThreshold(config.error_if ?? '!=0', 'error_if', where);
  if ((config.severity ?? 'error') === 'error' && meets(errorIf, failures)) return 'fail';
  if (meets(warnIf, failures)) return 'warn';
  return 'pass';
}
