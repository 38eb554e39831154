import type { RelationName } from '../compiler/manifest.js';
import type { RelationDocs, TableDdlOptions } from './table-options.js';

/** What an engine can do; strategies branch on these, never on the dialect's name. */
export interface DialectCapabilities {
  /** Three-part names (catalog.schema.table). */
  readonly catalogs: boolean;
  /** Multi-statement transactions (BEGIN/COMMIT) covering DDL and DML. */
  readonly transactions: boolean;
  /** `MERGE INTO … WHEN MATCHED / NOT MATCHED [BY SOURCE]`. */
  readonly merge: boolean;
  /** `WHEN NOT MATCHED BY SOURCE` inside MERGE. */
  readonly mergeNotMatchedBySource: boolean;
  /** `CREATE OR REPLACE TABLE … AS` is atomic. */
  readonly atomicCreateOrReplace: boolean;
  /** `ALTER TABLE … RENAME TO` available. */
  readonly renameTable: boolean;
  /** `GRANT … ON TABLE` semantics (Unity Catalog). */
  readonly grants: boolean;
  /** Column masks (Unity Catalog). */
  readonly columnMasks: boolean;
  /** Native array type for quarantine reasons. */
  readonly arrays: boolean;
}

/** Column definition used in DDL and schema-change planning. */
export interface ColumnDef {
  readonly name: string;
  /** Engine type text as reported by introspection or declared in YAML. */
  readonly type: string;
}

/**
 * Pure SQL text for one engine. No I/O. Strategies (materializations/) compose these; new
 * statement builders are added here when a strategy needs one, implemented by every dialect.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'spark' | 'databricks';
  readonly capabilities: DialectCapabilities;

  /** Quote one identifier part (`"x"` / `` `x` ``), escaping embedded quotes. */
  quoteIdentifier(name: string): string;
  /** Render a relation as `catalog.schema.table` or `schema.table`, each part quoted. */
  relation(rel: RelationName): string;
  /** SQL string literal with embedded quotes escaped. */
  stringLiteral(value: string): string;
  /** Canonical engine type names for portable types used by mdl itself. */
  type(
    kind: 'string' | 'bigint' | 'double' | 'boolean' | 'date' | 'timestamp' | 'string[]',
  ): string;
  /** Current timestamp expression. */
  currentTimestamp(): string;
  /** NULL-safe inequality: TRUE when a and b differ, treating NULL as a value. */
  isDistinctFrom(a: string, b: string): string;
  /** Deterministic hash (hex string) of the given SQL expressions, NULL-safe and position-aware. */
  hashExpressions(exprs: readonly string[]): string;

  createSchemaIfNotExists(catalog: string | undefined, schema: string): string;
  createView(rel: RelationName, selectSql: string): string;
  createTableAs(
    rel: RelationName,
    selectSql: string,
    /** `table`: physical options (partitioning, clustering, comment, TBLPROPERTIES); DuckDB ignores them. */
    opts?: { readonly replace?: boolean; readonly table?: TableDdlOptions },
  ): string;
  dropRelationIfExists(rel: RelationName, kind: 'table' | 'view'): string;
  renameRelation(from: RelationName, toIdentifier: string, kind: 'table' | 'view'): string;

  /** NULL-safe equality usable as a (hash) join condition: TRUE when a and b are equal or both NULL. */
  nullSafeEquals(a: string, b: string): string;
  /** `ALTER TABLE … ADD COLUMN` for one column (snapshot schema evolution). */
  addColumn(rel: RelationName, column: ColumnDef): string;
  /**
   * The single statement that applies a snapshot change set (see `SnapshotMergeSpec`): DuckDB and
   * Spark/Delta both render ONE `MERGE` over a staged union source, so the change is atomic.
   */
  snapshotMerge(target: RelationName, stagedSourceSql: string, spec: SnapshotMergeSpec): string;
  /** A string array of the non-NULL values among `exprs`, in order (typed, even when empty). */
  arrayOfNonNull(exprs: readonly string[]): string;
  /** Number of elements of an array expression. */
  arrayLength(expr: string): string;

  // --- execution (issue 3): external sources, seeds, incremental DML, schema changes ---
  /**
   * A view over files read in place (bronze Parquet): `location` is an absolute path or glob,
   * `fileFormat` `parquet` | `csv` | `json`. Hive partition folders (`load_id=…`) become columns.
   */
  createExternalSourceView(rel: RelationName, location: string, fileFormat: string): string;
  /** A SELECT reading a CSV file with a header row; `columnTypes` overrides inferred types. */
  readCsvSelect(
    absolutePath: string,
    columnTypes: Readonly<Record<string, string>> | undefined,
  ): string;
  /** `INSERT INTO rel (cols) SELECT cols FROM (selectSql)`. */
  insertInto(rel: RelationName, columns: readonly string[], selectSql: string): string;
  /**
   * Upsert from `source` (a relation holding the new batch) into `target` on the NULL-safe
   * equality of `keys`: matched rows get `updateColumns`, unmatched rows are inserted.
   */
  mergeInto(
    target: RelationName,
    source: RelationName,
    keys: readonly string[],
    updateColumns: readonly string[],
    insertColumns: readonly string[],
  ): string;
  /** Deletes rows of `target` whose `keys` match (NULL-safe) a row of `source`. */
  deleteMatchingKeys(target: RelationName, source: RelationName, keys: readonly string[]): string;
  /** `DELETE FROM rel` (all rows, inside a transaction). */
  deleteAll(rel: RelationName): string;
  dropColumn(rel: RelationName, column: string): string;
  /** Beginning/end of a transaction (engines without transactions never receive these). */
  /**
   * Statements that store table/column descriptions on a built relation (dbt's persist_docs);
   * column comments only for tables. Empty when there is nothing to document.
   */
  persistDocs(rel: RelationName, kind: 'table' | 'view', docs: RelationDocs): readonly string[];
  beginTransaction(): string;
  commitTransaction(): string;
  rollbackTransaction(): string;
}

/**
 * Shape of the one statement that applies a snapshot (SCD2) change set. The staged source holds
 * two kinds of rows: rows whose `mergeKeyColumn` equals the `scd_id` of a current target version
 * (that version is closed: `closeSet`), and rows whose merge key is NULL, which can never match
 * and are inserted as new versions (`insert`) — the classic single-MERGE SCD2 trick. Expressions
 * reference the staged source as `s` and the target as `t`; column names are unquoted here and
 * quoted by the dialect.
 */
export interface SnapshotMergeSpec {
  /** Column of the staged source carrying the scd_id of the version to close (NULL for inserts). */
  readonly mergeKeyColumn: string;
  /** The target's scd_id column. */
  readonly scdIdColumn: string;
  /** The target's is_current column (matched rows must be current: a rerun never closes twice). */
  readonly isCurrentColumn: string;
  /** SET list for closed versions: target column → SQL expression. */
  readonly closeSet: readonly { readonly column: string; readonly expr: string }[];
  /** INSERT list for new versions: target column → SQL expression. */
  readonly insert: readonly { readonly column: string; readonly expr: string }[];
}
