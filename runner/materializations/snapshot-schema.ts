import type { SnapshotNode } from '../compiler/manifest.js';
import type { ColumnDef, Dialect } from '../dialects/dialect.js';
import { MdlError } from '../errors/mdl-error.js';
import type { SnapshotSpec } from './snapshot-config.js';
import { metaColumnList } from './snapshot-config.js';

/** One data (non-history) column of the snapshot table after this run, with where it comes from. */
export interface SnapshotDataColumn {
  /** Name as it will appear in the table (target spelling if it already exists). */
  readonly name: string;
  /** Present in the new batch (source SELECT). */
  readonly inSource: boolean;
  /** Present in the existing table (before this run's ALTERs). */
  readonly inTarget: boolean;
}

/** How the existing snapshot table and the new batch line up. */
export interface SnapshotSchemaPlan {
  /** Data columns in table order: existing ones first, then new source columns. */
  readonly columns: readonly SnapshotDataColumn[];
  /** Columns to add before the change is applied (new source columns, missing history columns). */
  readonly addColumns: readonly ColumnDef[];
  /** Columns compared by the `check` strategy (empty for `timestamp`). */
  readonly compareColumns: readonly string[];
}

const lower = (s: string): string => s.toLowerCase();

/** Engine type text normalised for comparison (aliases and spacing differ between sources of truth). */
export function normalizeType(type: string): string {
  const t = type.trim().toUpperCase().replace(/\s+/g, ' ');
  const aliases: Readonly<Record<string, string>> = {
    STRING: 'VARCHAR',
    TEXT: 'VARCHAR',
    INT: 'INTEGER',
    INT4: 'INTEGER',
    INT8: 'BIGINT',
    LONG: 'BIGINT',
    BOOL: 'BOOLEAN',
    FLOAT8: 'DOUBLE',
    'TIMESTAMP WITHOUT TIME ZONE': 'TIMESTAMP',
    DATETIME: 'TIMESTAMP',
    'STRING[]': 'VARCHAR[]',
    'ARRAY<STRING>': 'VARCHAR[]',
  };
  // Spacing inside nested types differs between DESCRIBE and information_schema.
  return (aliases[t] ?? t).replace(/\s+/g, '');
}

function located(node: SnapshotNode): { file: string; line: number; node: string } {
  return { file: node.originalFilePath, line: node.line, node: node.uniqueId };
}

/** Checks that the configured columns exist in the batch and do not clash with history columns. */
export function validateSourceColumns(
  node: SnapshotNode,
  spec: SnapshotSpec,
  source: readonly ColumnDef[],
): void {
  const names = new Set(source.map((c) => lower(c.name)));
  const need = (col: string, what: string): void => {
    if (!names.has(lower(col))) {
      throw new MdlError('E_CONFIG', `snapshot ${what} column '${col}' is not in the SELECT`, {
        ...located(node),
        hint: `select a column named ${col}, or change ${what} in the snapshot config`,
      });
    }
  };
  for (const k of spec.uniqueKey) need(k, 'unique_key');
  if (spec.strategy.kind === 'timestamp') need(spec.strategy.updatedAt, 'updated_at');
  else if (spec.strategy.checkCols !== 'all')
    for (const c of spec.strategy.checkCols) need(c, 'check_cols');
  for (const m of metaColumnList(spec)) {
    if (names.has(lower(m))) {
      throw new MdlError(
        'E_CONFIG',
        `the snapshot SELECT has a column '${m}', which is also a history column name`,
        {
          ...located(node),
          hint: 'rename the column in the SELECT, or rename the history column with snapshot_meta_column_names',
        },
      );
    }
  }
  for (const c of source) {
    if (lower(c.name).startsWith('__mdl_')) {
      throw new MdlError('E_CONFIG', `column name '${c.name}' uses the reserved prefix __mdl_`, {
        ...located(node),
        hint: 'rename the column',
      });
    }
  }
}

/**
 * Lines up the existing table with the batch: new source columns are added (NULL in old
 * versions), dropped ones stay (NULL in new versions), a changed type is E_SCHEMA_CHANGE.
 */
export function planSnapshotSchema(
  node: SnapshotNode,
  spec: SnapshotSpec,
  source: readonly ColumnDef[],
  target: readonly ColumnDef[] | undefined,
  dialect: Dialect,
): SnapshotSchemaPlan {
  const meta = new Map(metaColumnList(spec).map((m) => [lower(m), m]));
  const keys = new Set(spec.uniqueKey.map(lower));
  const srcByName = new Map(source.map((c) => [lower(c.name), c]));
  const columns: SnapshotDataColumn[] = [];
  const addColumns: ColumnDef[] = [];

  if (target === undefined) {
    for (const c of source) columns.push({ name: c.name, inSource: true, inTarget: false });
  } else {
    const tgtNames = new Set(target.map((c) => lower(c.name)));
    for (const t of target) {
      if (meta.has(lower(t.name))) continue;
      const s = srcByName.get(lower(t.name));
      if (s !== undefined && normalizeType(s.type) !== normalizeType(t.type)) {
        throw new MdlError(
          'E_SCHEMA_CHANGE',
          `snapshot column '${t.name}' changed type from ${t.type} to ${s.type}`,
          {
            ...located(node),
            hint: 'cast the column back to its old type in the snapshot SELECT, or migrate the snapshot table by hand (history is never rebuilt automatically)',
          },
        );
      }
      columns.push({ name: t.name, inSource: s !== undefined, inTarget: true });
    }
    for (const s of source) {
      if (tgtNames.has(lower(s.name))) continue;
      if (keys.has(lower(s.name))) {
        throw new MdlError(
          'E_SCHEMA_CHANGE',
          `unique_key column '${s.name}' is not in the existing snapshot table`,
          {
            ...located(node),
            hint: 'a snapshot key cannot change after the first run; snapshot into a new table',
          },
        );
      }
      columns.push({ name: s.name, inSource: true, inTarget: false });
      addColumns.push({ name: s.name, type: s.type });
    }
    // History columns missing from an older table (e.g. is_deleted when switching to new_record).
    for (const [l, name] of meta) {
      if (!tgtNames.has(l)) addColumns.push({ name, type: metaType(spec, name, dialect) });
    }
  }

  for (const k of spec.uniqueKey) {
    if (!columns.some((c) => lower(c.name) === lower(k) && c.inSource)) {
      throw new MdlError('E_CONFIG', `unique_key column '${k}' is not in the SELECT`, {
        ...located(node),
        hint: 'select the key column',
      });
    }
  }

  let compareColumns: string[] = [];
  if (spec.strategy.kind === 'check') {
    // Only columns both sides already have: a column added this run is NULL in every old
    // version and would otherwise make every row look changed.
    const comparable = columns.filter(
      (c) => c.inSource && (c.inTarget || target === undefined) && !keys.has(lower(c.name)),
    );
    const wanted = spec.strategy.checkCols;
    compareColumns =
      wanted === 'all'
        ? comparable.map((c) => c.name)
        : comparable
            .filter((c) => wanted.some((w) => lower(w) === lower(c.name)))
            .map((c) => c.name);
  }
  return { columns, addColumns, compareColumns };
}

/** Engine type of a history column. */
export function metaType(spec: SnapshotSpec, name: string, dialect: Dialect): string {
  const m = spec.meta;
  if (name === m.scd_id) return dialect.type('string');
  if (name === m.is_current || name === m.is_deleted) return dialect.type('boolean');
  return dialect.type('timestamp');
}
