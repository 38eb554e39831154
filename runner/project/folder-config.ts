import type { FolderConfig } from './types.js';
import { childPath } from './yaml-data.js';
import type { YamlMap, YamlReader } from './yaml-reader.js';

/** Config keys recognised without a `+` prefix in project.yml folder blocks (dbt's list). */
export const KNOWN_CONFIG_KEYS: ReadonlySet<string> = new Set([
  'materialized',
  'enabled',
  'tags',
  'meta',
  'schema',
  'catalog',
  'database',
  'alias',
  'unique_key',
  'incremental_strategy',
  'on_schema_change',
  'full_refresh',
  'strategy',
  'updated_at',
  'check_cols',
  'hard_deletes',
  'quarantine',
  'severity',
  'warn_if',
  'error_if',
  'where',
  'limit',
  'store_failures',
  'grants',
  'pre_hook',
  'post_hook',
  'pre-hook',
  'post-hook',
  'column_types',
  'docs',
  'persist_docs',
  'partition_by',
  'cluster_by',
  'tblproperties',
  'file_format',
  'location_root',
  'quote_columns',
  'delimiter',
  'column_masks',
  'contract',
]);

/** `pre-hook` → `pre_hook` (dbt accepts both spellings). */
export function normaliseConfigKey(key: string): string {
  const k = key.startsWith('+') ? key.slice(1) : key;
  return k === 'pre-hook' ? 'pre_hook' : k === 'post-hook' ? 'post_hook' : k;
}

/**
 * Reads a dbt-style folder block (`models:` in project.yml). `+key` or a known config key applies
 * to this folder and below; any other key names a sub-folder (or a node) and must be a mapping.
 * A first level named after the project is transparent, as in dbt.
 */
export function readFolderConfig(
  r: YamlReader,
  path: string,
  m: YamlMap | undefined,
  projectName: string,
): FolderConfig {
  if (m === undefined) return { config: {}, children: {} };
  const keys = Object.keys(m);
  const own = keys.filter((k) => k.startsWith('+') || KNOWN_CONFIG_KEYS.has(k));
  if (own.length === 0 && keys.length === 1 && keys[0] === projectName) {
    return readFolderConfig(
      r,
      childPath(path, projectName),
      r.map(childPath(path, projectName), m[projectName]),
      projectName,
    );
  }
  const config: Record<string, unknown> = {};
  const children: Record<string, FolderConfig> = {};
  for (const [k, v] of Object.entries(m)) {
    const p = childPath(path, k);
    if (k.startsWith('+') || KNOWN_CONFIG_KEYS.has(k)) {
      config[normaliseConfigKey(k)] = v;
    } else {
      const sub = r.map(p, v);
      if (sub === undefined) {
        if (v !== null && v !== undefined)
          r.error(
            p,
            `'${k}' is neither a config key nor a folder`,
            `write config keys with a '+' prefix (+${k}: …), or nest a folder as a mapping`,
          );
        continue;
      }
      children[k] = readFolderConfig(r, p, sub, projectName);
    }
  }
  return { config, children };
}

/**
 * The folder config that applies to a node: each level from the root down to the node's own
 * entry (its name), merged with {@link mergeConfig}.
 */
export function folderConfigFor(
  tree: FolderConfig,
  folders: readonly string[],
  nodeName: string,
): Record<string, unknown> {
  let merged: Record<string, unknown> = { ...tree.config };
  let cur: FolderConfig | undefined = tree;
  for (const f of [...folders, nodeName]) {
    cur = cur.children[f];
    if (cur === undefined) break;
    merged = mergeConfig(merged, cur.config);
  }
  return merged;
}

/**
 * dbt precedence merge: `over` wins key by key, except `tags` (accumulate, no duplicates) and
 * `meta` (shallow-merged).
 */
export function mergeConfig(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [rawKey, v] of Object.entries(over)) {
    const k = normaliseConfigKey(rawKey);
    if (k === 'tags') {
      const prev = toList(out.tags);
      const next = toList(v);
      out.tags = [...prev, ...next.filter((t) => !prev.includes(t))];
    } else if (k === 'meta' && isObj(out.meta) && isObj(v)) {
      out.meta = { ...out.meta, ...v };
    } else {
      out[k] = v;
    }
  }
  return out;
}

function toList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
