import type { QuarantineRule } from '../compiler/manifest.js';
import type { ErrorLocation } from '../errors/mdl-error.js';
import { MdlError } from '../errors/mdl-error.js';

/**
 * Turns the YAML `quarantine:` config of a model into a flat list of rules. Accepted forms (also
 * as a list of such mappings):
 *
 * ```yaml
 * quarantine:
 *   not_null: [patient_id, dob]                 # reason not_null:dob
 *   not_null_or_literal_null: [first_name]      # also 'null' (any case) and ''
 *   accepted_values: {gender: [M, F, U]}        # reason accepted_values:gender
 *   expression: {future_visit: "visit_date > current_date"}   # SQL TRUE for BAD rows
 *   valid_npi: npi                              # macro rule: {{ quarantine_valid_npi('npi') }}
 *   service_before_paid: {service_date: service_date, paid_date: paid_date}   # keyword args
 * ```
 *
 * Macro rules produce a `when` that still contains a Nunjucks call; the compiler renders it in
 * the node's template context ({@link renderQuarantineRules}). Already-normalised input
 * (a list of `{name, when}`) is returned as is, so normalising twice is harmless.
 */
export function normalizeQuarantine(raw: unknown, where: ErrorLocation): QuarantineRule[] {
  if (raw === undefined || raw === null) return [];
  const rules: QuarantineRule[] = [];
  const entries = Array.isArray(raw) ? raw : [raw];
  for (const entry of entries) {
    if (isRule(entry)) rules.push({ name: entry.name, when: entry.when });
    else if (isMapping(entry)) rules.push(...fromMapping(entry, where));
    else fail(where, 'quarantine must be a mapping of rules (or a list of them)');
  }
  const seen = new Set<string>();
  for (const r of rules) {
    if (seen.has(r.name)) fail(where, `quarantine rule '${r.name}' is declared twice`);
    seen.add(r.name);
  }
  return rules;
}

/**
 * For the compiler, BEFORE it renders templated config strings: the normalised rules (so macro
 * rules such as `{valid_npi: npi}` become `{{ quarantine_valid_npi('npi') }}` and get rendered),
 * or the raw value unchanged when it is invalid (postProcessConfig then reports the E_CONFIG).
 */
export function preNormalizeQuarantine(raw: unknown, where: ErrorLocation): unknown {
  try {
    return normalizeQuarantine(raw, where);
  } catch (err) {
    if (err instanceof MdlError) return raw;
    throw err;
  }
}

/** Renders the `when` of rules that still hold a template (macro rules) with the given renderer. */
export function renderQuarantineRules(
  rules: readonly QuarantineRule[],
  render: (template: string) => string,
): QuarantineRule[] {
  return rules.map((r) =>
    r.when.includes('{{') || r.when.includes('{%')
      ? { name: r.name, when: render(r.when).trim() }
      : r,
  );
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HINT =
  'see docs/quarantine.md: e.g. quarantine: {not_null: [dob], accepted_values: {gender: [M, F]}, expression: {future_dob: "dob > current_date"}, valid_npi: npi}';

function fail(where: ErrorLocation, message: string): never {
  throw new MdlError('E_CONFIG', message, { ...where, hint: HINT });
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRule(v: unknown): v is QuarantineRule {
  return (
    isMapping(v) &&
    Object.keys(v).length === 2 &&
    typeof v.name === 'string' &&
    typeof v.when === 'string'
  );
}

function columns(where: ErrorLocation, rule: string, v: unknown): string[] {
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) {
    fail(where, `quarantine rule '${rule}' needs a column name or a list of column names`);
  }
  return list.map((c) => column(where, rule, c));
}

function column(where: ErrorLocation, rule: string, c: unknown): string {
  if (typeof c !== 'string' || !IDENT.test(c.trim())) {
    fail(
      where,
      `quarantine rule '${rule}': ${JSON.stringify(c)} is not a plain column name (letters, digits, _)`,
    );
  }
  return c.trim();
}

function literal(where: ErrorLocation, rule: string, v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  // Quotes and backslashes are escaped differently by DuckDB and Spark: keep literals plain.
  if (typeof v === 'string' && !/['\\]/.test(v)) return `'${v}'`;
  return fail(
    where,
    `quarantine rule '${rule}': value ${JSON.stringify(v)} must be a number, boolean or a string without quotes or backslashes (use expression: for others)`,
  );
}

function expressionRules(where: ErrorLocation, v: unknown): QuarantineRule[] {
  const one = (name: string, sql: unknown): QuarantineRule => {
    if (!IDENT.test(name)) fail(where, `quarantine expression name '${name}' must be a plain name`);
    if (typeof sql !== 'string' || sql.trim() === '') {
      fail(where, `quarantine expression '${name}' must be a SQL boolean (TRUE for bad rows)`);
    }
    return { name, when: sql.trim() };
  };
  if (typeof v === 'string') return [one('expression', v)];
  if (isMapping(v)) return Object.entries(v).map(([k, sql]) => one(k, sql));
  if (Array.isArray(v)) {
    return v.flatMap((item, i) => {
      if (typeof item === 'string') return [one(`expression_${i + 1}`, item)];
      if (isMapping(item) && typeof item.name === 'string' && 'when' in item)
        return [one(item.name, item.when)];
      if (isMapping(item)) return Object.entries(item).map(([k, sql]) => one(k, sql));
      return fail(where, 'each quarantine expression must be a string or {name: sql}');
    });
  }
  return fail(where, 'quarantine expression must be a string, a mapping {name: sql} or a list');
}

function fromMapping(m: Record<string, unknown>, where: ErrorLocation): QuarantineRule[] {
  const out: QuarantineRule[] = [];
  for (const [key, value] of Object.entries(m)) {
    switch (key) {
      case 'not_null':
        for (const c of columns(where, key, value))
          out.push({ name: `not_null:${c}`, when: `${c} IS NULL` });
        break;
      case 'not_null_or_literal_null':
        for (const c of columns(where, key, value)) {
          out.push({
            name: `${key}:${c}`,
            when: `(${c} IS NULL OR lower(trim(CAST(${c} AS STRING))) IN ('null', ''))`,
          });
        }
        break;
      case 'accepted_values': {
        if (!isMapping(value)) fail(where, 'accepted_values must map column → list of values');
        for (const [col, values] of Object.entries(value)) {
          const c = column(where, key, col);
          if (!Array.isArray(values) || values.length === 0) {
            fail(where, `accepted_values.${c} must be a non-empty list of values`);
          }
          const list = values.map((v) => literal(where, key, v)).join(', ');
          out.push({ name: `${key}:${c}`, when: `(${c} IS NOT NULL AND ${c} NOT IN (${list}))` });
        }
        break;
      }
      case 'expression':
        out.push(...expressionRules(where, value));
        break;
      default:
        out.push(...macroRules(where, key, value));
    }
  }
  return out;
}

/** `{valid_npi: npi}` → `{{ quarantine_valid_npi('npi') }}`; a list gives one rule per column. */
function macroRules(where: ErrorLocation, key: string, value: unknown): QuarantineRule[] {
  if (!IDENT.test(key)) fail(where, `unknown quarantine rule '${key}'`);
  const macro = `quarantine_${key}`;
  if (isMapping(value)) {
    const args = Object.entries(value).map(([k, v]) => {
      if (!IDENT.test(k)) fail(where, `quarantine rule '${key}': bad argument name '${k}'`);
      return { k, v: column(where, key, v) };
    });
    return [
      {
        name: `${key}:${args.map((a) => a.v).join(',')}`,
        when: `{{ ${macro}(${args.map((a) => `${a.k}='${a.v}'`).join(', ')}) }}`,
      },
    ];
  }
  return columns(where, key, value).map((c) => ({
    name: `${key}:${c}`,
    when: `{{ ${macro}('${c}') }}`,
  }));
}
