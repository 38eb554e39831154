import type { RelationName } from '../compiler/manifest.js';
import { keyMatch, mergeIntoSql, snapshotMergeSql } from './merge-sql.js';
import { MdlError } from '../errors/mdl-error.js';
import type { ColumnDef, Dialect, DialectCapabilities } from './dialect.js';
import { csvViewDirective } from './spark-csv.js';
import type { TableDdlOptions } from './table-options.js';

/** NULL-safe key equality in MERGE conditions (unparenthesised, as in the golden SQL). */
const keyEq = (a: string, b: string): string => `${a} <=> ${b}`;

const capabilities: DialectCapabilities = {
  catalogs: false,
  // Delta commits one statement at a time; strategies use CREATE OR REPLACE / MERGE instead.
  transactions: false,
  merge: true,
  mergeNotMatchedBySource: true,
  atomicCreateOrReplace: true,
  renameTable: true,
  grants: false,
  columnMasks: false,
  arrays: true,
};

/**
 * Properties every mdl-built Delta table gets (user `tblproperties` win): column mapping by name
 * makes `DROP COLUMN` / renames possible (on_schema_change: sync_all_columns) without rewriting data.
 */
export const DEFAULT_DELTA_PROPERTIES: Readonly<Record<string, string>> = {
  'delta.columnMapping.mode': 'name',
  'delta.minReaderVersion': '2',
  'delta.minWriterVersion': '5',
};

/** Glob characters in a path segment (`*`, `?`, `[`, `{`). */
const GLOB = /[*?[{]/;

/**
 * The directory Spark should read for a location written for DuckDB (`…/table/*∕*.parquet`): the
 * path up to the first segment with a glob, so Spark's partition discovery sees `load_id=…`.
 */
export function externalRoot(location: string): string {
  const parts = location.split('/');
  const i = parts.findIndex((p) => GLOB.test(p));
  const kept = i === -1 ? parts : parts.slice(0, i);
  const root = kept.join('/');
  return root === '' ? '/' : root;
}

type SparkDialectBase = Dialect & {
  /** `CLUSTER BY` / `PARTITIONED BY` / `COMMENT` / `TBLPROPERTIES` clauses of a CREATE TABLE. */
  tableClauses(opts: TableDdlOptions | undefined): string;
  /** `ALTER TABLE … SET TBLPROPERTIES (…)`. */
  setTblproperties(rel: RelationName, props: Readonly<Record<string, string>>): string;
  /** `INSERT OVERWRITE` of a whole table. */
  insertOverwrite(rel: RelationName, columns: readonly string[], selectSql: string): string;
  /** Delta `INSERT INTO … REPLACE WHERE <predicate>` (dbt-databricks `replace_where`). */
  replaceWhere(
    rel: RelationName,
    predicate: string,
    columns: readonly string[],
    selectSql: string,
  ): string;
  /** `ALTER TABLE … ADD COLUMNS (…)` for several columns in one statement. */
  addColumns(rel: RelationName, columns: readonly ColumnDef[]): string;
};

/** Spark SQL dialect type, exported so Databricks can extend it. */
export type SparkDialect = SparkDialectBase;

function noTransactions(): never {
  throw new MdlError('E_INTERNAL', 'Spark/Delta has no multi-statement transactions', {
    hint: 'strategies must check dialect.capabilities.transactions before asking for BEGIN/COMMIT',
  });
}

/** Spark SQL + Delta Lake text (self-hosted Spark Thrift Server). Names are `schema.table`. */
export const sparkDialect: SparkDialect = {
  name: 'spark',
  capabilities,
  quoteIdentifier: (name) => `\`${name.replaceAll('`', '``')}\``,
  relation(rel: RelationName): string {
    const parts =
      rel.catalog === undefined
        ? [rel.schema, rel.identifier]
        : [rel.catalog, rel.schema, rel.identifier];
    return parts.map((p) => this.quoteIdentifier(p)).join('.');
  },
  // Spark parses backslash escapes inside literals, so both `\` and `'` are escaped.
  stringLiteral: (value) => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`,
  type(kind) {
    switch (kind) {
      case 'string':
        return 'STRING';
      case 'bigint':
        return 'BIGINT';
      case 'double':
        return 'DOUBLE';
      case 'boolean':
        return 'BOOLEAN';
      case 'date':
        return 'DATE';
      case 'timestamp':
        return 'TIMESTAMP';
      case 'string[]':
        return 'ARRAY<STRING>';
    }
  },
  currentTimestamp: () => 'current_timestamp()',
  isDistinctFrom: (a, b) => `NOT ((${a}) <=> (${b}))`,
  hashExpressions(exprs) {
    // A JSON array keeps positions and tells NULL (null) from '' ("").
    return `md5(to_json(array(${exprs.map((e) => `CAST(${e} AS STRING)`).join(', ')})))`;
  },
  createSchemaIfNotExists(catalog, schema) {
    const name =
      catalog === undefined
        ? this.quoteIdentifier(schema)
        : `${this.quoteIdentifier(catalog)}.${this.quoteIdentifier(schema)}`;
    return `CREATE SCHEMA IF NOT EXISTS ${name}`;
  },
  createView(rel, selectSql) {
    return `CREATE OR REPLACE VIEW ${this.relation(rel)} AS\n${selectSql}`;
  },
  tableClauses(opts) {
    const q = (c: string): string => this.quoteIdentifier(c);
    const out: string[] = [];
    if (opts?.partitionBy !== undefined)
      out.push(`PARTITIONED BY (${opts.partitionBy.map(q).join(', ')})`);
    if (opts?.clusterBy !== undefined) out.push(`CLUSTER BY (${opts.clusterBy.map(q).join(', ')})`);
    if (opts?.comment !== undefined) out.push(`COMMENT ${this.stringLiteral(opts.comment)}`);
    const props = { ...DEFAULT_DELTA_PROPERTIES, ...(opts?.tblproperties ?? {}) };
    const list = Object.entries(props).map(
      ([k, v]) => `${this.stringLiteral(k)} = ${this.stringLiteral(v)}`,
    );
    out.push(`TBLPROPERTIES (${list.join(', ')})`);
    return out.join('\n');
  },
  createTableAs(rel, selectSql, opts) {
    return `CREATE ${opts?.replace === true ? 'OR REPLACE ' : ''}TABLE ${this.relation(rel)}\nUSING DELTA\n${this.tableClauses(opts?.table)}\nAS\n${selectSql}`;
  },
  dropRelationIfExists(rel, kind) {
    return `DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${this.relation(rel)}`;
  },
  renameRelation(from, toIdentifier, kind) {
    // The new name is qualified: an unqualified one would land in the session's current schema.
    const to = this.relation({ ...from, identifier: toIdentifier });
    return `ALTER ${kind === 'view' ? 'VIEW' : 'TABLE'} ${this.relation(from)} RENAME TO ${to}`;
  },
  nullSafeEquals: (a, b) => `(${a}) <=> (${b})`,
  addColumn(rel, column) {
    return this.addColumns(rel, [column]);
  },
  addColumns(rel, columns) {
    const list = columns.map((c) => `${this.quoteIdentifier(c.name)} ${c.type}`).join(', ');
    return `ALTER TABLE ${this.relation(rel)} ADD COLUMNS (${list})`;
  },
  snapshotMerge(target, stagedSourceSql, spec) {
    return snapshotMergeSql(this, target, stagedSourceSql, spec);
  },
  arrayOfNonNull(exprs) {
    if (exprs.length === 0) return 'CAST(array() AS ARRAY<STRING>)';
    return `filter(array(${exprs.map((e) => `CAST(${e} AS STRING)`).join(', ')}), x -> x IS NOT NULL)`;
  },
  arrayLength: (expr) => `size(${expr})`,
  createExternalSourceView(rel, location, fileFormat) {
    const root = externalRoot(location);
    switch (fileFormat) {
      case 'parquet':
      case 'json':
      case 'orc':
      case 'delta':
        // Read at query time, so new load_id=… folders show up without a metastore refresh.
        return `CREATE OR REPLACE VIEW ${this.relation(rel)} AS\nSELECT * FROM ${fileFormat}.${this.quoteIdentifier(root)}`;
      default:
        throw new MdlError(
          'E_CONFIG',
          `external sources in '${fileFormat}' format cannot be read in place on Spark`,
          {
            hint: 'land the files as Parquet (mdl ingest does) and declare file_format: parquet',
          },
        );
    }
  },
  readCsvSelect(absolutePath, columnTypes) {
    return csvViewDirective(absolutePath, columnTypes);
  },
  insertInto(rel, columns, selectSql) {
    const cols = columns.map((c) => this.quoteIdentifier(c)).join(', ');
    return `INSERT INTO ${this.relation(rel)} (${cols})\nSELECT ${cols} FROM (\n${selectSql}\n) AS __mdl_src`;
  },
  insertOverwrite(rel, columns, selectSql) {
    const cols = columns.map((c) => this.quoteIdentifier(c)).join(', ');
    return `INSERT OVERWRITE TABLE ${this.relation(rel)} (${cols})\nSELECT ${cols} FROM (\n${selectSql}\n) AS __mdl_src`;
  },
  replaceWhere(rel, predicate, columns, selectSql) {
    const cols = columns.map((c) => this.quoteIdentifier(c)).join(', ');
    return `INSERT INTO ${this.relation(rel)}\nREPLACE WHERE ${predicate}\nSELECT ${cols} FROM (\n${selectSql}\n) AS __mdl_src`;
  },
  mergeInto(target, source, keys, updateColumns, insertColumns) {
    return mergeIntoSql(this, keyEq, target, source, keys, updateColumns, insertColumns);
  },
  deleteMatchingKeys(target, source, keys) {
    // Delta's DELETE has no correlated subqueries; a delete-only MERGE allows several matches.
    const on = keyMatch(this, keys, keyEq);
    return `MERGE INTO ${this.relation(target)} AS t\nUSING ${this.relation(source)} AS s\nON ${on}\nWHEN MATCHED THEN DELETE`;
  },
  deleteAll(rel) {
    return `DELETE FROM ${this.relation(rel)}`;
  },
  dropColumn(rel, column) {
    return `ALTER TABLE ${this.relation(rel)} DROP COLUMN ${this.quoteIdentifier(column)}`;
  },
  setTblproperties(rel, props) {
    const list = Object.entries(props).map(
      ([k, v]) => `${this.stringLiteral(k)} = ${this.stringLiteral(v)}`,
    );
    return `ALTER TABLE ${this.relation(rel)} SET TBLPROPERTIES (${list.join(', ')})`;
  },
  persistDocs(rel, kind, docs) {
    const out: string[] = [];
    const name = this.relation(rel);
    if (kind === 'view') {
      if (docs.description !== undefined) {
        out.push(
          `ALTER VIEW ${name} SET TBLPROPERTIES ('comment' = ${this.stringLiteral(docs.description)})`,
        );
      }
      return out;
    }
    if (docs.description !== undefined)
      out.push(`COMMENT ON TABLE ${name} IS ${this.stringLiteral(docs.description)}`);
    for (const [col, text] of Object.entries(docs.columns)) {
      out.push(
        `ALTER TABLE ${name} ALTER COLUMN ${this.quoteIdentifier(col)} COMMENT ${this.stringLiteral(text)}`,
      );
    }
    return out;
  },
  beginTransaction: noTransactions,
  commitTransaction: noTransactions,
  rollbackTransaction: noTransactions,
};
