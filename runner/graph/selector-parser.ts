import { MdlError } from '../errors/mdl-error.js';
import type { ErrorLocation } from '../errors/mdl-error.js';
import { SELECTOR_METHODS } from './selection-criteria.js';
import { hasWildcard } from './wildcard.js';
import type {
  IndirectSelection,
  SelectorAtom,
  SelectorMethod,
  SelectorSpec,
} from './selection-criteria.js';

// dbt's grammar: [@][N+][method[.arg…]:]value[+N]. The value is lazy so that a trailing `+N`
// is read as the children operator while `delete+insert` stays a value.
const ATOM_RE = /^(@)?(?:(\d*)\+)?(?:([\w.]+):)?(.*?)(?:\+(\d*))?$/s;

/** Text for the "valid methods" part of selector errors. */
export function validMethodsHint(): string {
  return (
    `valid forms: name, folder or dotted fqn (silver, silver.patients), path (models/gold/x.sql), ` +
    `methods ${SELECTOR_METHODS.map((m) => (m === 'config' ? 'config.<key>' : m)).join(', ')}; ` +
    `graph operators +x, x+, 2+x, x+1, @x; union by space, intersection by comma`
  );
}

/** The E_SELECTOR error used for every malformed selector. */
export function selectorError(text: string, problem: string, where: ErrorLocation = {}): MdlError {
  return new MdlError('E_SELECTOR', `invalid selector '${text}': ${problem}`, {
    ...where,
    hint: validMethodsHint(),
  });
}

function isMethod(m: string): m is SelectorMethod {
  return (SELECTOR_METHODS as readonly string[]).includes(m);
}

// No method given: dbt treats file-looking values as paths and everything else as fqn.
function defaultMethod(value: string): SelectorMethod {
  return value.includes('/') || /\.(sql|csv|ya?ml|py)$/i.test(value) ? 'path' : 'fqn';
}

const RESOURCE_TYPES = ['model', 'seed', 'snapshot', 'test', 'source'];
const TEST_TYPES = ['generic', 'singular', 'data', 'schema'];

// Closed-vocabulary methods are checked at parse time so the error can carry selectors.yml:line.
function checkValue(
  raw: string,
  method: SelectorMethod,
  value: string,
  where: ErrorLocation,
): void {
  if (method === 'resource_type' && !hasWildcard(value) && !RESOURCE_TYPES.includes(value)) {
    throw selectorError(
      raw,
      `unknown resource type '${value}' (one of ${RESOURCE_TYPES.join(', ')})`,
      where,
    );
  }
  if (method === 'test_type' && !TEST_TYPES.includes(value)) {
    throw selectorError(raw, `unknown test type '${value}' (generic or singular)`, where);
  }
  if (method === 'source' && value.split('.').length > 3) {
    throw selectorError(
      raw,
      "source selectors are 'source', 'source.table' or 'package.source.table'",
      where,
    );
  }
}

/**
 * Parses one atom such as `+silver`, `tag:phi+2`, `@source:emr.patients`, `config.meta.pii:true`.
 * Throws E_SELECTOR (with `where` attached, e.g. selectors.yml file:line) when malformed.
 */
export function parseAtom(
  raw: string,
  where: ErrorLocation = {},
  indirectSelection?: IndirectSelection,
): SelectorAtom {
  const text = raw.trim();
  const m = ATOM_RE.exec(text);
  if (text === '' || m === null) throw selectorError(raw, 'empty selector', where);
  const [, at, parentsDepth, methodText, value = '', childrenDepth] = m;
  const parents = parentsDepth !== undefined;
  const children = childrenDepth !== undefined;
  if (value === '') throw selectorError(raw, 'no value to select', where);
  if (at !== undefined && parents) {
    throw selectorError(raw, "'@' and a '+' parents prefix cannot be combined", where);
  }
  if (/[\s,]/.test(value)) {
    throw selectorError(raw, 'a single selector cannot contain spaces or commas', where);
  }
  let method: SelectorMethod;
  let methodArgs: readonly string[] = [];
  if (methodText === undefined) {
    method = defaultMethod(value);
  } else {
    const [head = '', ...rest] = methodText.split('.');
    if (!isMethod(head)) throw selectorError(raw, `unknown method '${head}'`, where);
    if (head === 'config') {
      if (rest.length === 0 || rest.some((r) => r === '')) {
        throw selectorError(
          raw,
          "the config method needs a key: 'config.materialized:table'",
          where,
        );
      }
    } else if (rest.length > 0) {
      throw selectorError(raw, `method '${head}' takes no '.${rest.join('.')}' argument`, where);
    }
    method = head;
    methodArgs = rest;
  }
  checkValue(raw, method, value, where);
  return {
    kind: 'atom',
    raw: text,
    method,
    methodArgs,
    value,
    parents,
    ...(parents && parentsDepth !== '' ? { parentsDepth: Number(parentsDepth) } : {}),
    children,
    ...(children && childrenDepth !== '' ? { childrenDepth: Number(childrenDepth) } : {}),
    childrensParents: at !== undefined,
    ...(indirectSelection === undefined ? {} : { indirectSelection }),
  };
}

/**
 * Parses CLI-style selection text: items are split on whitespace (union), each piece on commas
 * (intersection). Returns undefined when there is nothing to select.
 */
export function parseSelectionText(
  items: readonly string[],
  where: ErrorLocation = {},
  indirectSelection?: IndirectSelection,
): SelectorSpec | undefined {
  const pieces = items.flatMap((item) => item.split(/\s+/)).filter((p) => p !== '');
  if (pieces.length === 0) return undefined;
  const parts = pieces.map((piece): SelectorSpec => {
    const atoms = piece.split(',');
    if (atoms.some((a) => a === '')) {
      throw selectorError(piece, 'empty part in a comma intersection', where);
    }
    const parsed = atoms.map((a) => parseAtom(a, where, indirectSelection));
    return parsed.length === 1 ? parsed[0]! : { kind: 'intersection', parts: parsed };
  });
  return parts.length === 1 ? parts[0]! : { kind: 'union', parts };
}
