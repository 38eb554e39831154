import type { ColumnInfo, NodeConfig } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';

/**
 * Physical table options read from a node's config (Spark/Delta and Databricks; DuckDB ignores
 * them). Written in YAML/project.yml as dbt-spark/dbt-databricks users expect:
 * `partition_by`, `liquid_clustered_by` (or `cluster_by`), `tblproperties`, plus the node's
 * `description` as the table comment.
 */
export interface TableDdlOptions {
  readonly partitionBy?: readonly string[];
  readonly clusterBy?: readonly string[];
  readonly comment?: string;
  readonly tblproperties?: Readonly<Record<string, string>>;
}

/** Documentation to persist on a built relation (table comment + column comments). */
export interface RelationDocs {
  readonly description?: string;
  /** Column name → description (only non-empty descriptions). */
  readonly columns: Readonly<Record<string, string>>;
}

/** Where a config problem is reported. */
export interface ConfigOrigin {
  readonly node: string;
  readonly file?: string;
}

function stringList(
  value: unknown,
  key: string,
  where: ConfigOrigin,
): readonly string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : [value];
  if (
    Array.isArray(value) &&
    value.every((v): v is string => typeof v === 'string' && v.trim() !== '')
  ) {
    return value.length === 0 ? undefined : value;
  }
  throw new MdlError(
    'E_CONFIG',
    `config '${key}' must be a column name or a list of column names`,
    {
      node: where.node,
      ...(where.file === undefined ? {} : { file: where.file }),
      hint: `write e.g. ${key}: [datasource] in the model's config`,
    },
  );
}

/** Reads and validates the table options of a node (pure). Throws E_CONFIG on malformed values. */
export function tableDdlOptions(
  config: NodeConfig,
  description: string,
  where: ConfigOrigin,
): TableDdlOptions {
  const partitionBy = stringList(config.partition_by, 'partition_by', where);
  const clusterBy = stringList(
    config.liquid_clustered_by ?? config.cluster_by,
    'liquid_clustered_by',
    where,
  );
  if (partitionBy !== undefined && clusterBy !== undefined) {
    throw new MdlError(
      'E_CONFIG',
      'a Delta table cannot have both partition_by and liquid clustering',
      {
        node: where.node,
        ...(where.file === undefined ? {} : { file: where.file }),
        hint: 'keep one of partition_by / liquid_clustered_by',
      },
    );
  }
  let tblproperties: Record<string, string> | undefined;
  const raw = config.tblproperties;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      throw new MdlError(
        'E_CONFIG',
        "config 'tblproperties' must be a mapping of property → value",
        {
          node: where.node,
          ...(where.file === undefined ? {} : { file: where.file }),
          hint: "write e.g. tblproperties: {'delta.enableChangeDataFeed': 'true'}",
        },
      );
    }
    tblproperties = {};
    for (const [k, v] of Object.entries(raw as Record<string, unknown>))
      tblproperties[k] = String(v);
  }
  return {
    ...(partitionBy === undefined ? {} : { partitionBy }),
    ...(clusterBy === undefined ? {} : { clusterBy }),
    ...(description.trim() === '' ? {} : { comment: description }),
    ...(tblproperties === undefined || Object.keys(tblproperties).length === 0
      ? {}
      : { tblproperties }),
  };
}

/** Table and column descriptions of a node, for `persistDocs`. */
export function relationDocs(
  description: string,
  columns: Readonly<Record<string, ColumnInfo>>,
): RelationDocs {
  const cols: Record<string, string> = {};
  for (const c of Object.values(columns))
    if (c.description.trim() !== '') cols[c.name] = c.description;
  return { ...(description.trim() === '' ? {} : { description }), columns: cols };
}
