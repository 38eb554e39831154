import type { RelationName } from '../compiler/manifest.js';

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
    opts?: { readonly replace?: boolean },
  ): string;
  dropRelationIfExists(rel: RelationName, kind: 'table' | 'view'): string;
  renameRelation(from: RelationName, toIdentifier: string, kind: 'table' | 'view'): string;
}
