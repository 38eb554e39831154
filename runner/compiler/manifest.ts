/**
 * The compiled project: every node with its config, dependencies and compiled SQL. Written to
 * `target/manifest.json`. Pure data — no functions — so it serialises as is.
 */

export type ResourceType = 'model' | 'seed' | 'snapshot' | 'test' | 'source';

export type Materialization =
  'view' | 'table' | 'incremental' | 'ephemeral' | 'snapshot' | 'seed' | 'test';

/** A relation in the warehouse. `catalog` is absent on engines without catalogs. */
export interface RelationName {
  readonly catalog?: string;
  readonly schema: string;
  readonly identifier: string;
}

/** Quarantine rules declared on a model (issue: SCD2 + quarantine). */
export interface QuarantineRule {
  /** Reason name written into `quarantine_reasons` (e.g. `missing_dob`). */
  readonly name: string;
  /** A SQL boolean expression that is TRUE when the row must be quarantined. */
  readonly when: string;
}

/**
 * Resolved node config: folder config (project.yml) < YAML properties < in-file `config()`.
 * Keys are the snake_case names users write, as in dbt.
 */
export interface NodeConfig {
  readonly materialized: Materialization;
  readonly enabled: boolean;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, unknown>>;
  readonly schema?: string;
  /** Catalog (Unity Catalog) / database (DuckDB) override. */
  readonly catalog?: string;
  readonly alias?: string;
  readonly unique_key?: readonly string[];
  readonly incremental_strategy?: 'merge' | 'delete+insert' | 'append';
  readonly on_schema_change?: 'ignore' | 'append_new_columns' | 'sync_all_columns' | 'fail';
  readonly full_refresh?: boolean;
  /** Snapshot options. */
  readonly strategy?: 'timestamp' | 'check';
  readonly updated_at?: string;
  readonly check_cols?: 'all' | readonly string[];
  readonly hard_deletes?: 'ignore' | 'invalidate' | 'new_record';
  readonly quarantine?: readonly QuarantineRule[];
  /** Test options. */
  readonly severity?: 'warn' | 'error';
  readonly warn_if?: string;
  readonly error_if?: string;
  readonly where?: string;
  readonly limit?: number;
  readonly store_failures?: boolean;
  readonly grants?: Readonly<Record<string, readonly string[]>>;
  readonly pre_hook?: readonly string[];
  readonly post_hook?: readonly string[];
  readonly column_types?: Readonly<Record<string, string>>;
  /** Anything else (adapter specific: partition_by, tblproperties, …). */
  readonly [key: string]: unknown;
}

export interface ColumnInfo {
  readonly name: string;
  readonly description: string;
  readonly dataType?: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
}

interface NodeBase {
  /** `model.<project>.<name>`, `seed.<project>.<name>`, `source.<project>.<src>.<table>`, … */
  readonly uniqueId: string;
  readonly name: string;
  readonly packageName: string;
  /** [project, ...folders, name] as in dbt. */
  readonly fqn: readonly string[];
  /** File path relative to the project dir. */
  readonly originalFilePath: string;
  /** 1-based line where the node is defined (YAML entry or file start). */
  readonly line: number;
  readonly description: string;
  readonly tags: readonly string[];
  readonly meta: Readonly<Record<string, unknown>>;
  readonly config: NodeConfig;
  readonly dependsOn: { readonly nodes: readonly string[]; readonly macros: readonly string[] };
  readonly columns: Readonly<Record<string, ColumnInfo>>;
  /** sha256 of the raw file content + resolved config, for state comparison and caching. */
  readonly checksum: string;
}

export interface ModelNode extends NodeBase {
  readonly resourceType: 'model';
  readonly relation: RelationName;
  readonly rawSql: string;
  /** SELECT statement after rendering; ephemeral parents are NOT yet inlined (see `ctes`). */
  readonly compiledSql: string;
  /**
   * The same template rendered with `is_incremental()` = true (only for incremental models
   * whose template calls it). The executor picks one after introspection, so compile stays pure.
   */
  readonly incrementalSql?: string;
  /** Ephemeral models this node reads, inlined as CTEs in order: [{id, name, sql}]. */
  readonly ctes: readonly { readonly id: string; readonly name: string; readonly sql: string }[];
}

export interface SnapshotNode extends NodeBase {
  readonly resourceType: 'snapshot';
  readonly relation: RelationName;
  readonly rawSql: string;
  readonly compiledSql: string;
  readonly ctes: readonly { readonly id: string; readonly name: string; readonly sql: string }[];
}

export interface SeedNode extends NodeBase {
  readonly resourceType: 'seed';
  readonly relation: RelationName;
  /** CSV path relative to the project dir. */
  readonly seedPath: string;
}

export interface TestNode extends NodeBase {
  readonly resourceType: 'test';
  /** Generic test metadata; absent for singular tests. */
  readonly testMetadata?: {
    readonly name: string;
    readonly namespace?: string;
    readonly kwargs: Readonly<Record<string, unknown>>;
  };
  /** The model/seed/snapshot/source the test is attached to (for indirect selection). */
  readonly attachedNode?: string;
  readonly columnName?: string;
  readonly rawSql: string;
  /** A SELECT returning failing rows. */
  readonly compiledSql: string;
  readonly ctes: readonly { readonly id: string; readonly name: string; readonly sql: string }[];
  /** Relation for store_failures. */
  readonly relation: RelationName;
}

export interface SourceNode extends NodeBase {
  readonly resourceType: 'source';
  readonly sourceName: string;
  readonly relation: RelationName;
  /** Files read in place (bronze Parquet). Absolute or project-relative glob. */
  readonly external?: { readonly location: string; readonly fileFormat: string };
}

export type ManifestNode = ModelNode | SnapshotNode | SeedNode | TestNode | SourceNode;

/** Nodes that produce a relation when executed. */
export type ExecutableNode = ModelNode | SnapshotNode | SeedNode | TestNode;

export interface MacroInfo {
  readonly uniqueId: string;
  readonly name: string;
  readonly originalFilePath: string;
  readonly line: number;
}

export interface Manifest {
  readonly metadata: {
    readonly mdlVersion: string;
    readonly projectName: string;
    readonly generatedAt: string;
    readonly target: string;
    readonly targetType: string;
    /** Names of the vars used (values are not written: they may be sensitive). */
    readonly invocationId: string;
  };
  readonly nodes: Readonly<Record<string, ManifestNode>>;
  readonly macros: Readonly<Record<string, MacroInfo>>;
  /** child uniqueIds per node (derived from dependsOn). */
  readonly childMap: Readonly<Record<string, readonly string[]>>;
  readonly parentMap: Readonly<Record<string, readonly string[]>>;
}

/** Exhaustiveness helper for discriminated unions. */
export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(x)}`);
}
