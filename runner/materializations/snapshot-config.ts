import type { SnapshotNode } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';

/** Names of the history columns a snapshot adds (configurable like dbt's `snapshot_meta_column_names`). */
export interface SnapshotMetaColumns {
  readonly valid_from: string;
  readonly valid_to: string;
  readonly is_current: string;
  readonly scd_id: string;
  readonly updated_at: string;
  readonly inserted_at: string;
  readonly modified_at: string;
  /** Only present in the table with `hard_deletes: new_record`. */
  readonly is_deleted: string;
}

/**
 * Defaults. `updated_at` is `snapshot_updated_at` (not `updated_at`) because source tables very
 * often have a column called `updated_at` themselves.
 */
export const DEFAULT_META_COLUMNS: SnapshotMetaColumns = {
  valid_from: 'valid_from',
  valid_to: 'valid_to',
  is_current: 'is_current',
  scd_id: 'scd_id',
  updated_at: 'snapshot_updated_at',
  inserted_at: 'inserted_at',
  modified_at: 'modified_at',
  is_deleted: 'is_deleted',
};

export type SnapshotChangeStrategy =
  | { readonly kind: 'timestamp'; readonly updatedAt: string }
  | { readonly kind: 'check'; readonly checkCols: 'all' | readonly string[] };

export type HardDeletes = 'ignore' | 'invalidate' | 'new_record';

/** A snapshot's validated options. */
export interface SnapshotSpec {
  readonly uniqueKey: readonly string[];
  readonly strategy: SnapshotChangeStrategy;
  readonly hardDeletes: HardDeletes;
  readonly meta: SnapshotMetaColumns;
  /** SQL literal text of the far-future `valid_to` of current rows, or undefined for NULL. */
  readonly validToCurrent?: string;
}

function fail(node: SnapshotNode, message: string, hint: string): never {
  throw new MdlError('E_CONFIG', message, {
    file: node.originalFilePath,
    line: node.line,
    node: node.uniqueId,
    hint,
  });
}

function stringList(node: SnapshotNode, key: string, raw: unknown): readonly string[] {
  const list = typeof raw === 'string' ? [raw] : raw;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((c) => typeof c !== 'string' || c.trim() === '')
  ) {
    fail(
      node,
      `snapshot config '${key}' must be a column name or a non-empty list of column names`,
      `write e.g. ${key}: [patient_id, datasource]`,
    );
  }
  return (list as string[]).map((c) => c.trim());
}

const TIMESTAMP_LITERAL = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d{1,6})?)?$/;

/** Validates a snapshot node's config into a {@link SnapshotSpec}; E_CONFIG with the node's location otherwise. */
export function snapshotSpec(node: SnapshotNode): SnapshotSpec {
  const c = node.config;
  if (c.unique_key === undefined) {
    fail(node, 'snapshot has no unique_key', 'add unique_key: <column> (or a list) to its config');
  }
  const uniqueKey = stringList(node, 'unique_key', c.unique_key);

  let strategy: SnapshotChangeStrategy;
  switch (c.strategy) {
    case 'timestamp': {
      if (typeof c.updated_at !== 'string' || c.updated_at.trim() === '') {
        fail(
          node,
          "snapshot strategy 'timestamp' needs updated_at",
          'set updated_at: <column holding the source change time>',
        );
      }
      strategy = { kind: 'timestamp', updatedAt: c.updated_at.trim() };
      break;
    }
    case 'check': {
      const raw = c.check_cols ?? 'all';
      strategy = {
        kind: 'check',
        checkCols: raw === 'all' ? 'all' : stringList(node, 'check_cols', raw),
      };
      break;
    }
    default:
      fail(
        node,
        `snapshot strategy must be 'timestamp' or 'check' (got ${JSON.stringify(c.strategy ?? null)})`,
        'set strategy: timestamp (with updated_at) or strategy: check (with check_cols)',
      );
  }

  const hd = c.hard_deletes ?? 'ignore';
  if (hd !== 'ignore' && hd !== 'invalidate' && hd !== 'new_record') {
    fail(
      node,
      `hard_deletes must be ignore, invalidate or new_record (got ${JSON.stringify(hd)})`,
      'pick one of: ignore, invalidate, new_record',
    );
  }

  const meta = metaColumns(node, c.snapshot_meta_column_names);
  const vtc = c.valid_to_current;
  if (vtc !== undefined && (typeof vtc !== 'string' || !TIMESTAMP_LITERAL.test(vtc.trim()))) {
    fail(
      node,
      'valid_to_current must be a date or timestamp literal such as 9999-12-31',
      "write valid_to_current: '9999-12-31' (or remove it for NULL)",
    );
  }
  return {
    uniqueKey,
    strategy,
    hardDeletes: hd,
    meta,
    ...(typeof vtc === 'string' ? { validToCurrent: `TIMESTAMP '${vtc.trim()}'` } : {}),
  };
}

function metaColumns(node: SnapshotNode, raw: unknown): SnapshotMetaColumns {
  if (raw === undefined || raw === null) return DEFAULT_META_COLUMNS;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    fail(
      node,
      'snapshot_meta_column_names must be a mapping',
      'write e.g. snapshot_meta_column_names: {valid_from: effective_from}',
    );
  }
  const out: Record<string, string> = { ...DEFAULT_META_COLUMNS };
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    // dbt spells these dbt_valid_from etc.; accept both spellings of the keys.
    const key = k.startsWith('dbt_') ? k.slice(4) : k;
    if (!(key in DEFAULT_META_COLUMNS)) {
      fail(
        node,
        `unknown key '${k}' in snapshot_meta_column_names`,
        `known keys: ${Object.keys(DEFAULT_META_COLUMNS).join(', ')}`,
      );
    }
    if (typeof v !== 'string' || v.trim() === '') {
      fail(node, `snapshot_meta_column_names.${k} must be a column name`, 'use a plain name');
    }
    out[key] = v.trim();
  }
  const names = Object.values(out).map((n) => n.toLowerCase());
  if (new Set(names).size !== names.length) {
    fail(
      node,
      'snapshot_meta_column_names gives two history columns the same name',
      'use distinct names',
    );
  }
  return out as unknown as SnapshotMetaColumns;
}

/** The history columns present in a snapshot table with this spec, in table order. */
export function metaColumnList(spec: SnapshotSpec): readonly string[] {
  const m = spec.meta;
  const cols = [m.scd_id, m.valid_from, m.valid_to, m.is_current, m.updated_at];
  if (spec.hardDeletes === 'new_record') cols.push(m.is_deleted);
  cols.push(m.inserted_at, m.modified_at);
  return cols;
}
