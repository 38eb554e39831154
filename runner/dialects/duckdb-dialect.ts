import type { RelationName } from '../compiler/manifest.js';
import type { Dialect, DialectCapabilities } from './dialect.js';

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
};
