import type { NamedSelector } from '../project/types.js';
import type { ErrorLocation } from '../errors/mdl-error.js';
import { MdlError } from '../errors/mdl-error.js';
import { findCycle, formatCycle } from './find-cycle.js';
import { parseAtom, parseSelectionText, selectorError } from './selector-parser.js';
import type { IndirectSelection, SelectorAtom, SelectorSpec } from './selection-criteria.js';

/** selectors.yml after parsing: name → spec, plus the default selector's name if any. */
export interface ParsedSelectors {
  readonly specs: ReadonlyMap<string, SelectorSpec>;
  readonly defaultName?: string;
  /** Where each selector is defined, for messages. */
  readonly origins: ReadonlyMap<string, ErrorLocation>;
}

const ATOM_KEYS = new Set([
  'method',
  'value',
  'parents',
  'children',
  'parents_depth',
  'children_depth',
  'childrens_parents',
  'indirect_selection',
  'exclude',
]);

/**
 * Parses every selectors.yml definition (dbt forms: a CLI string; `{method, value, parents,
 * children, parents_depth, children_depth, childrens_parents, indirect_selection, exclude}`;
 * the one-key shorthand `{tag: nightly}`; `{union: [...]}` / `{intersection: [...]}` whose items
 * may include one `{exclude: [...]}`; `selector:` references). Validates references (unknown name
 * or a reference cycle) and that at most one selector has `default: true`. Every error is
 * E_SELECTOR at the selector's selectors.yml file:line.
 */
export function parseNamedSelectors(named: readonly NamedSelector[]): ParsedSelectors {
  const specs = new Map<string, SelectorSpec>();
  const origins = new Map<string, ErrorLocation>();
  let defaultName: string | undefined;
  for (const sel of named) {
    const where: ErrorLocation = { file: sel.origin.file, line: sel.origin.line };
    if (specs.has(sel.name)) {
      throw new MdlError('E_SELECTOR', `selector '${sel.name}' is defined twice`, {
        ...where,
        hint: 'give each selector in selectors.yml a unique name',
      });
    }
    if (sel.default) {
      if (defaultName !== undefined) {
        throw new MdlError(
          'E_SELECTOR',
          `selectors '${defaultName}' and '${sel.name}' are both marked default: true`,
          { ...where, hint: 'mark at most one selector as the default' },
        );
      }
      defaultName = sel.name;
    }
    specs.set(sel.name, parseDefinition(sel.definition, sel.name, where, true));
    origins.set(sel.name, where);
  }
  // References: every selector:x must exist, and references must not form a cycle.
  const refs: Record<string, string[]> = {};
  for (const [name, spec] of specs) {
    const used = selectorRefs(spec);
    for (const r of used) {
      if (!specs.has(r)) {
        throw selectorError(
          `selector:${r}`,
          `selector '${name}' references unknown selector '${r}'`,
          {
            ...origins.get(name),
          },
        );
      }
    }
    refs[name] = used;
  }
  // refs maps a selector to those it uses, i.e. its "parents".
  const cycle = findCycle(refs);
  if (cycle !== undefined) {
    throw new MdlError(
      'E_SELECTOR',
      `selectors reference each other in a cycle: ${formatCycle(cycle)}`,
      {
        ...origins.get(cycle[0]!),
        hint: 'remove one of the selector: references along this path',
      },
    );
  }
  return { specs, origins, ...(defaultName === undefined ? {} : { defaultName }) };
}

/** Names referenced through `selector:` atoms in a spec. */
export function selectorRefs(spec: SelectorSpec): string[] {
  switch (spec.kind) {
    case 'atom':
      return spec.method === 'selector' ? [spec.value] : [];
    case 'union':
    case 'intersection':
      return spec.parts.flatMap(selectorRefs);
    case 'difference':
      return [...selectorRefs(spec.include), ...selectorRefs(spec.exclude)];
  }
}

function describe(def: unknown): string {
  try {
    return JSON.stringify(def) ?? String(def);
  } catch {
    return String(def);
  }
}

function parseDefinition(
  def: unknown,
  name: string,
  where: ErrorLocation,
  topLevel: boolean,
): SelectorSpec {
  if (typeof def === 'string') {
    // A CLI string; nested list items are single atoms in dbt, we accept full CLI text anywhere.
    const spec = parseSelectionText([def], where);
    if (spec === undefined)
      throw selectorError(def, `selector '${name}' has an empty definition`, where);
    return spec;
  }
  if (def === null || typeof def !== 'object' || Array.isArray(def)) {
    throw selectorError(
      describe(def),
      `selector '${name}': expected a string or a mapping${topLevel ? ' as definition' : ''}`,
      where,
    );
  }
  const obj = def as Readonly<Record<string, unknown>>;
  const keys = Object.keys(obj);
  if (keys.length === 1 && (keys[0] === 'union' || keys[0] === 'intersection')) {
    const kind = keys[0];
    const items = obj[kind];
    if (!Array.isArray(items) || items.length === 0) {
      throw selectorError(
        describe(def),
        `selector '${name}': '${kind}' needs a non-empty list`,
        where,
      );
    }
    return parseSetOperation(kind, items, name, where);
  }
  if (keys.length === 1 && keys[0] === 'exclude') {
    throw selectorError(
      describe(def),
      `selector '${name}': 'exclude' must be an item of a union/intersection list or sit next to method/value`,
      where,
    );
  }
  if ('method' in obj || 'value' in obj) return parseMethodDict(obj, name, where);
  if (keys.length === 1) {
    // `{tag: nightly}` shorthand.
    const key = keys[0]!;
    return parseMethodDict({ method: key, value: obj[key] }, name, where);
  }
  throw selectorError(
    describe(def),
    `selector '${name}': expected 'union', 'intersection', one 'method: value' pair, or 'method' and 'value' keys, got keys ${keys.join(', ')}`,
    where,
  );
}

function parseSetOperation(
  kind: 'union' | 'intersection',
  items: readonly unknown[],
  name: string,
  where: ErrorLocation,
): SelectorSpec {
  const include: SelectorSpec[] = [];
  let exclude: SelectorSpec | undefined;
  for (const item of items) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item) && 'exclude' in item) {
      if (exclude !== undefined) {
        throw selectorError(
          describe(item),
          `selector '${name}': only one 'exclude' per ${kind}`,
          where,
        );
      }
      exclude = parseExclusions(item.exclude, name, where);
    } else {
      include.push(parseDefinition(item, name, where, false));
    }
  }
  if (include.length === 0) {
    throw selectorError(describe(items), `selector '${name}': ${kind} has only an exclude`, where);
  }
  const combined: SelectorSpec = include.length === 1 ? include[0]! : { kind, parts: include };
  return exclude === undefined ? combined : { kind: 'difference', include: combined, exclude };
}

function parseExclusions(value: unknown, name: string, where: ErrorLocation): SelectorSpec {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0)
    throw selectorError('exclude: []', `selector '${name}': empty exclude`, where);
  const parts = list.map((v) => parseDefinition(v, name, where, false));
  return parts.length === 1 ? parts[0]! : { kind: 'union', parts };
}

function parseBool(v: unknown, key: string, name: string, where: ErrorLocation): boolean {
  if (v === undefined) return false;
  if (typeof v === 'boolean') return v;
  throw selectorError(
    `${key}: ${describe(v)}`,
    `selector '${name}': '${key}' must be true or false`,
    where,
  );
}

function parseDepth(
  v: unknown,
  key: string,
  name: string,
  where: ErrorLocation,
): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  throw selectorError(
    `${key}: ${describe(v)}`,
    `selector '${name}': '${key}' must be a whole number`,
    where,
  );
}

function parseIndirect(
  v: unknown,
  name: string,
  where: ErrorLocation,
): IndirectSelection | undefined {
  if (v === undefined) return undefined;
  if (v === 'eager' || v === 'cautious' || v === 'empty') return v;
  throw selectorError(
    `indirect_selection: ${describe(v)}`,
    `selector '${name}': indirect_selection must be eager, cautious or empty`,
    where,
  );
}

function parseMethodDict(
  obj: Readonly<Record<string, unknown>>,
  name: string,
  where: ErrorLocation,
): SelectorSpec {
  const unknownKeys = Object.keys(obj).filter((k) => !ATOM_KEYS.has(k));
  if (unknownKeys.length > 0) {
    throw selectorError(
      describe(obj),
      `selector '${name}': unknown key${unknownKeys.length > 1 ? 's' : ''} ${unknownKeys.join(', ')} (allowed: ${[...ATOM_KEYS].join(', ')})`,
      where,
    );
  }
  const { method, value } = obj;
  if (typeof method !== 'string' || !/^[\w.]+$/.test(method)) {
    throw selectorError(describe(obj), `selector '${name}': 'method' must be a method name`, where);
  }
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    throw selectorError(describe(obj), `selector '${name}': 'value' must be a string`, where);
  }
  const text = `${method}:${String(value)}`;
  if (String(value) === '') throw selectorError(text, `selector '${name}': empty 'value'`, where);
  // Reuse the CLI atom parser to validate the method; the dict's value is taken literally
  // (it may contain spaces or '+'), and graph operators come from the dict's keys.
  const probe = parseAtom(`${method}:x`, where, parseIndirect(obj.indirect_selection, name, where));
  const base: SelectorAtom = { ...probe, raw: text, value: String(value) };
  const parentsDepth = parseDepth(obj.parents_depth, 'parents_depth', name, where);
  const childrenDepth = parseDepth(obj.children_depth, 'children_depth', name, where);
  const childrensParents = parseBool(obj.childrens_parents, 'childrens_parents', name, where);
  const parents = parseBool(obj.parents, 'parents', name, where) || parentsDepth !== undefined;
  if (childrensParents && parents) {
    throw selectorError(
      text,
      `selector '${name}': childrens_parents and parents cannot be combined`,
      where,
    );
  }
  const atom: SelectorAtom = {
    ...base,
    parents,
    ...(parentsDepth === undefined ? {} : { parentsDepth }),
    children: parseBool(obj.children, 'children', name, where) || childrenDepth !== undefined,
    ...(childrenDepth === undefined ? {} : { childrenDepth }),
    childrensParents,
  };
  if (obj.exclude === undefined) return atom;
  return { kind: 'difference', include: atom, exclude: parseExclusions(obj.exclude, name, where) };
}
