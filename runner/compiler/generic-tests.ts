import type { Dialect } from '../dialects/dialect.js';
import { MdlError } from '../errors/mdl-error.js';
import { sha256 } from '../project/project-files.js';
import type { TestDeclaration } from '../project/types.js';
import type { PlaceholderRef } from './relation-value.js';

/** Built-in generic tests (namespaces `dbt.`, `mdl.`, `dbt_utils.` map onto them). */
export const BUILTIN_TESTS = [
  'not_null',
  'unique',
  'accepted_values',
  'relationships',
  'expression_is_true',
] as const;
export type BuiltinTest = (typeof BUILTIN_TESTS)[number];

const BUILTIN_NAMESPACES = ['dbt', 'mdl', 'dbt_utils'];

/** A test declaration split into namespace + name and classified. */
export interface ResolvedTestKind {
  readonly name: string;
  readonly namespace?: string;
  readonly builtin?: BuiltinTest;
}

export function classifyTest(declName: string): ResolvedTestKind {
  const dot = declName.lastIndexOf('.');
  const namespace = dot < 0 ? undefined : declName.slice(0, dot);
  const name = dot < 0 ? declName : declName.slice(dot + 1);
  const builtin =
    (BUILTIN_TESTS as readonly string[]).includes(name) &&
    (namespace === undefined || BUILTIN_NAMESPACES.includes(namespace))
      ? (name as BuiltinTest)
      : undefined;
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    ...(builtin === undefined ? {} : { builtin }),
  };
}

/** Parses `ref('x')` / `source('a', 'b')` written as a test argument (relationships `to:`). */
export function parseRelationArg(text: string): PlaceholderRef | undefined {
  const ref = /^\s*ref\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*$/.exec(text);
  if (ref !== null)
    return ref[2] === undefined
      ? { kind: 'ref', name: ref[1]! }
      : { kind: 'ref', pkg: ref[1]!, name: ref[2] };
  const src = /^\s*source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(text);
  if (src !== null) return { kind: 'source', source: src[1]!, table: src[2]! };
  return undefined;
}

const sanitize = (s: string): string => s.replace(/[^0-9a-zA-Z_]+/g, '_');

/**
 * dbt-style readable test name: `not_null_<model>_<column>`, `source_unique_<src>_<tbl>_<col>`,
 * argument values appended after `__` (sorted by key, as dbt does); names over 63 characters are
 * cut and given a short hash so they stay unique and valid as relation names.
 */
export function genericTestName(
  test: string,
  label: string,
  column: string | undefined,
  args: Readonly<Record<string, unknown>>,
  isSource: boolean,
): string {
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    const v = args[key];
    const items = Array.isArray(v) ? v : [v];
    for (const item of items)
      flat.push(
        sanitize(typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item)),
      );
  }
  const head = [isSource ? `source_${test}` : test, label, column]
    .filter((x) => x !== undefined && x !== '')
    .map((x) => sanitize(x!))
    .join('_');
  const full = flat.length === 0 ? head : `${head}__${flat.join('__')}`;
  if (full.length <= 63) return full;
  return `${full.slice(0, 52)}_${sha256(full).slice(0, 10)}`;
}

/** Problems with a built-in test's arguments (empty when fine). */
export function checkBuiltinArgs(
  test: BuiltinTest,
  decl: TestDeclaration,
  column: string | undefined,
): MdlError[] {
  const at = { file: decl.origin.file, line: decl.origin.line };
  const err = (msg: string, hint: string): MdlError =>
    new MdlError('E_TEST', `${test}: ${msg}`, { ...at, hint });
  const out: MdlError[] = [];
  const needsColumn =
    test === 'not_null' ||
    test === 'unique' ||
    test === 'accepted_values' ||
    test === 'relationships';
  const col =
    column ?? (typeof decl.args.column_name === 'string' ? decl.args.column_name : undefined);
  if (needsColumn && col === undefined)
    out.push(
      err(
        'needs a column',
        'declare it under a column (columns: - name: x, tests: […]) or pass column_name:',
      ),
    );
  switch (test) {
    case 'accepted_values':
      if (!Array.isArray(decl.args.values) || decl.args.values.length === 0)
        out.push(
          err('expected `values:` to be a non-empty list', 'accepted_values: {values: [a, b]}'),
        );
      break;
    case 'relationships':
      if (typeof decl.args.to !== 'string' || parseRelationArg(decl.args.to) === undefined)
        out.push(
          err(
            `expected \`to:\` to be "ref('model')" or "source('src', 'table')"`,
            `relationships: {to: ref('parent'), field: id}`,
          ),
        );
      if (typeof decl.args.field !== 'string')
        out.push(
          err(
            'expected `field:` (the parent column)',
            "relationships: {to: ref('parent'), field: id}",
          ),
        );
      break;
    case 'expression_is_true':
      if (typeof decl.args.expression !== 'string')
        out.push(
          err(
            'expected `expression:` (a SQL boolean expression)',
            'expression_is_true: {expression: "amount >= 0"}',
          ),
        );
      break;
    case 'not_null':
    case 'unique':
      break;
  }
  return out;
}

/**
 * SELECT returning the failing rows of a built-in test. `model` is the (possibly `where`-wrapped)
 * relation text, `to` the resolved relationships parent. Column names are used as written (as in
 * dbt), literals go through the dialect's escaping.
 */
export function builtinTestSql(
  test: BuiltinTest,
  model: string,
  column: string | undefined,
  args: Readonly<Record<string, unknown>>,
  dialect: Dialect,
  to: string | undefined,
): string {
  const col = column ?? (typeof args.column_name === 'string' ? args.column_name : '');
  switch (test) {
    case 'not_null':
      return `select ${col}\nfrom ${model}\nwhere ${col} is null`;
    case 'unique':
      return `select\n    ${col} as unique_field,\n    count(*) as n_records\nfrom ${model}\nwhere ${col} is not null\ngroup by ${col}\nhaving count(*) > 1`;
    case 'accepted_values': {
      const quote = args.quote !== false;
      const values = (args.values as readonly unknown[])
        .map((v) => (quote ? dialect.stringLiteral(String(v)) : String(v)))
        .join(', ');
      return `with all_values as (\n    select\n        ${col} as value_field,\n        count(*) as n_records\n    from ${model}\n    group by ${col}\n)\nselect *\nfrom all_values\nwhere value_field not in (${values})`;
    }
    case 'relationships':
      return `with child as (\n    select ${col} as from_field\n    from ${model}\n    where ${col} is not null\n),\nparent as (\n    select ${String(args.field)} as to_field\n    from ${to ?? ''}\n)\nselect from_field\nfrom child\nleft join parent on child.from_field = parent.to_field\nwhere parent.to_field is null`;
    case 'expression_is_true': {
      const expr =
        column === undefined ? String(args.expression) : `${column} ${String(args.expression)}`;
      return `select *\nfrom ${model}\nwhere not (${expr})`;
    }
  }
}

/** The relation text a test reads: wrapped in a filtering subquery when `where` is configured. */
export function whereWrapped(relation: string, where: string | undefined): string {
  return where === undefined ? relation : `(select * from ${relation} where ${where}) mdl_subquery`;
}
