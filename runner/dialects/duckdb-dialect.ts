import type { RelationName } from '../compiler/manifest.js';
import { keyMatch, mergeIntoSql, snapshotMergeSql } from './merge-sql.js';
import type { Dialect, DialectCapabilities } from './dialect.js';

/** NULL-safe key equality in MERGE/DELETE conditions (unparenthesised, as in the golden SQL). */
const keyEq = (a: string, b: string): string => `${a} IS NOT DISTINCT FROM ${b}`;

const capabilities: DialectCapabilities = {
  catalogs: true,
  transactions: true,
  merge: true,
  mergeNotMatchedBySource: true,
  atomicCreateOrReplace: true,
  renameTable: true,
  grants: false,
  columnMasks: false,
  arrays: true,
};

/** DuckDB SQL text. Catalog = attached database name (the target's `database`). */
export const duckdbDialect: Dialect = {
  name: 'duckdb',
  capabilities,
  quoteIdentifier: (name) => `"${name.replaceAll('"', '""')}"`,
  relation(rel: RelationName): string {
    const parts =
      rel.catalog === undefined
        ? [rel.schema, rel.identifier]
        : [rel.catalog, rel.schema, rel.identifier];
    return parts.map((p) => this.quoteIdentifier(p)).join('.');
  },
  stringLiteral: (value) => `'${value.replaceAll("'", "''")}'`,
  type(kind) {
    switch (kind) {
      case 'string':
        return 'VARCHAR';
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
        return 'VARCHAR[]';
    }
  },
  currentTimestamp: () => 'current_localtimestamp()',
  isDistinctFrom: (a, b) => `(${a}) IS DISTINCT FROM (${b})`,
  hashExpressions(exprs) {
    // A list literal keeps positions and distinguishes NULL from '' (unlike concat_ws).
    return `md5(CAST(list_value(${exprs.map((e) => `CAST(${e} AS VARCHAR)`).join(', ')}) AS VARCHAR))`;
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
  createTableAs(rel, selectSql, opts) {
    return `CREATE ${opts?.replace === true ? 'OR REPLACE ' : ''}TABLE ${this.relation(rel)} AS\n${selectSql}`;
  },
  dropRelationIfExists(rel, kind) {
    return `DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${this.relation(rel)}`;
  },
  renameRelation(from, toIdentifier, kind) {
    return `ALTER ${kind === 'view' ? 'VIEW' : 'TABLE'} ${this.relation(from)} RENAME TO ${this.quoteIdentifier(toIdentifier)}`;
  },
  nullSafeEquals: (a, b) => `(${a}) IS NOT DISTINCT FROM (${b})`,
  addColumn(rel, column) {
    return `ALTER TABLE ${this.relation(rel)} ADD COLUMN ${this.quoteIdentifier(column.name)} ${column.type}`;
  },
  snapshotMerge(target, stagedSourceSql, spec) {
    return snapshotMergeSql(this, target, stagedSourceSql, spec);
  },
  arrayOfNonNull(exprs) {
    // list_filter over a typed list: an empty rule set still yields VARCHAR[] (not NULL).
    if (exprs.length === 0) return 'CAST([] AS VARCHAR[])';
    return `list_filter(CAST(list_value(${exprs.join(', ')}) AS VARCHAR[]), x -> x IS NOT NULL)`;
  },
  arrayLength: (expr) => `len(${expr})`,
  createExternalSourceView(rel, location, fileFormat) {
    const loc = this.stringLiteral(location);
    const reader =
      fileFormat === 'csv'
        ? `read_csv(${loc}, header = true, union_by_name = true, hive_partitioning = true)`
        : fileFormat === 'json'
          ? `read_json_auto(${loc}, union_by_name = true, hive_partitioning = true)`
          : `read_parquet(${loc}, union_by_name = true, hive_partitioning = true)`;
    return `CREATE OR REPLACE VIEW ${this.relation(rel)} AS\nSELECT * FROM ${reader}`;
  },
  readCsvSelect(absolutePath, columnTypes) {
    const entries = Object.entries(columnTypes ?? {});
    // Explicit dialect: the sniffer would otherwise guess another delimiter for ragged files.
    const opts = [
      'header = true',
      "delim = ','",
      `quote = '"'`,
      `escape = '"'`,
      'strict_mode = true',
      ...(entries.length === 0
        ? []
        : [
            `types = {${entries.map(([k, v]) => `${this.stringLiteral(k)}: ${this.stringLiteral(v)}`).join(', ')}}`,
          ]),
    ];
    return `SELECT * FROM read_csv(${this.stringLiteral(absolutePath)}, ${opts.join(', ')})`;
  },
  insertInto(rel, columns, selectSql) {
    const cols = columns.map((c) => this.quoteIdentifier(c)).join(', ');
    return `INSERT INTO ${this.relation(rel)} (${cols})\nSELECT ${cols} FROM (\n${selectSql}\n) AS __mdl_src`;
  },
  mergeInto(target, source, keys, updateColumns, insertColumns) {
    return mergeIntoSql(this, keyEq, target, source, keys, updateColumns, insertColumns);
  },
  deleteMatchingKeys(target, source, keys) {
    const on = keyMatch(this, keys, keyEq);
    return `DELETE FROM ${this.relation(target)} AS t\nWHERE EXISTS (SELECT 1 FROM ${this.relation(source)} AS s WHERE ${on})`;
  },
  deleteAll(rel) {
    return `DELETE FROM ${this.relation(rel)}`;
  },
  dropColumn(rel, column) {
    return `ALTER TABLE ${this.relation(rel)} DROP COLUMN ${this.quoteIdentifier(column)}`;
  },
  persistDocs(rel, kind, docs) {
    const out: string[] = [];
    const name = this.relation(rel);
    if (docs.description !== undefined) {
      out.push(
        `COMMENT ON ${kind === 'view' ? 'VIEW' : 'TABLE'} ${name} IS ${this.stringLiteral(docs.description)}`,
      );
    }
    if (kind === 'table') {
      for (const [col, text] of Object.entries(docs.columns)) {
        out.push(
          `COMMENT ON COLUMN ${name}.${this.quoteIdentifier(col)} IS ${this.stringLiteral(text)}`,
        );
      }
    }
    return out;
  },
  beginTransaction: () => 'BEGIN TRANSACTION',
  commitTransaction: () => 'COMMIT',
  rollbackTransaction: () => 'ROLLBACK',
};
