import type { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import type { ErrorLocation } from '../errors/mdl-error.js';
import type { Materialization, NodeConfig } from './manifest.js';
import { normalizeQuarantine } from '../quarantine/normalize.js';

const MATERIALIZATIONS: readonly Materialization[] = [
  'view',
  'table',
  'incremental',
  'ephemeral',
  'snapshot',
  'seed',
  'test',
];
const ENUMS: Readonly<Record<string, readonly string[]>> = {
  incremental_strategy: ['merge', 'delete+insert', 'append'],
  on_schema_change: ['ignore', 'append_new_columns', 'sync_all_columns', 'fail'],
  strategy: ['timestamp', 'check'],
  hard_deletes: ['ignore', 'invalidate', 'new_record'],
  severity: ['warn', 'error'],
};

/**
 * Validates and normalises a node's merged config (folder < YAML < in-file): known enum values,
 * `unique_key`/`tags`/hooks as lists, `database` as an alias of `catalog`. Called once per node;
 * problems go to `diagnostics` with the node's location and the config is returned cleaned.
 * (The quarantine work extends this for `quarantine:` rules.)
 */
export function postProcessConfig(
  config: NodeConfig,
  where: ErrorLocation,
  diagnostics: Diagnostics,
): NodeConfig {
  const out: Record<string, unknown> = { ...config };
  const problem = (key: string, expected: string): void => {
    diagnostics.add(
      new MdlError('E_CONFIG', `config '${key}': expected ${expected}`, {
        ...where,
        hint: `fix '${key}' in the model's config() call, its YAML config: block or the folder config in project.yml`,
      }),
    );
  };
  if (!MATERIALIZATIONS.includes(config.materialized)) {
    problem(
      'materialized',
      `one of ${MATERIALIZATIONS.join(', ')} (got '${String(config.materialized)}')`,
    );
    out.materialized = 'view';
  }
  if (typeof config.enabled !== 'boolean') {
    problem('enabled', 'true or false');
    out.enabled = true;
  }
  const stringList = (key: string): void => {
    const v = out[key];
    if (v === undefined || v === null) {
      delete out[key];
      return;
    }
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => typeof x === 'string')) {
      problem(key, 'a string or a list of strings');
      delete out[key];
      return;
    }
    out[key] = list;
  };
  stringList('tags');
  out.tags ??= [];
  stringList('unique_key');
  stringList('pre_hook');
  stringList('post_hook');
  if (out.meta === undefined || out.meta === null) out.meta = {};
  else if (typeof out.meta !== 'object' || Array.isArray(out.meta)) {
    problem('meta', 'a mapping');
    out.meta = {};
  }
  if (typeof out.severity === 'string') out.severity = out.severity.toLowerCase();
  for (const [key, allowed] of Object.entries(ENUMS)) {
    const v = out[key];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !allowed.includes(v)) {
      problem(key, `one of ${allowed.join(', ')}`);
      delete out[key];
    }
  }
  if (out.check_cols !== undefined && out.check_cols !== 'all') stringList('check_cols');
  for (const key of [
    'schema',
    'catalog',
    'database',
    'alias',
    'updated_at',
    'where',
    'warn_if',
    'error_if',
  ]) {
    const v = out[key];
    if (v === undefined || v === null) delete out[key];
    else if (typeof v !== 'string') problem(key, 'a string');
  }
  if (out.catalog === undefined && typeof out.database === 'string') out.catalog = out.database;
  for (const key of ['full_refresh', 'store_failures']) {
    if (out[key] !== undefined && typeof out[key] !== 'boolean') problem(key, 'true or false');
  }
  if (out.quarantine !== undefined && out.quarantine !== null) {
    // YAML rule forms → [{name, when}] (idempotent: an already-normalised list is kept).
    try {
      out.quarantine = normalizeQuarantine(out.quarantine, where);
    } catch (err) {
      if (!(err instanceof MdlError)) throw err;
      diagnostics.add(err);
      delete out.quarantine;
    }
  } else delete out.quarantine;
  if (
    out.limit !== undefined &&
    !(typeof out.limit === 'number' && Number.isInteger(out.limit) && out.limit >= 0)
  )
    problem('limit', 'a non-negative integer');
  return out as NodeConfig;
}
