import type { RelationName } from '../compiler/manifest.js';
import type { DialectCapabilities } from './dialect.js';
import { sparkDialect, type SparkDialect } from './spark-dialect.js';

const capabilities: DialectCapabilities = {
  ...sparkDialect.capabilities,
  catalogs: true,
  grants: true,
  columnMasks: true,
};

/** Databricks SQL (Unity Catalog) dialect: Spark + Delta text plus catalog/governance statements. */
export type DatabricksDialect = SparkDialect & {
  createCatalogIfNotExists(catalog: string): string;
  /** `GRANT <privilege> ON TABLE <rel> TO \`principal\``. */
  grant(rel: RelationName, privilege: string, principal: string): string;
  /** `REVOKE <privilege> ON TABLE <rel> FROM \`principal\``. */
  revoke(rel: RelationName, privilege: string, principal: string): string;
  /** `SHOW GRANTS ON TABLE <rel>` (introspection of current grants). */
  showGrants(rel: RelationName): string;
  /** The per-schema masking function for one column type (created once, idempotent). */
  createMaskFunction(fn: RelationName, columnType: string, unmaskedGroup: string): string;
  setColumnMask(rel: RelationName, column: string, fn: RelationName): string;
  dropColumnMask(rel: RelationName, column: string): string;
  setRowFilter(rel: RelationName, fn: string, columns: readonly string[]): string;
  dropRowFilter(rel: RelationName): string;
  setTags(
    rel: RelationName,
    tags: Readonly<Record<string, string>>,
    kind?: 'table' | 'view',
  ): string;
  setColumnTags(rel: RelationName, column: string, tags: Readonly<Record<string, string>>): string;
};

/** What a masked value of each column type becomes for readers outside the PHI group. */
function maskedValue(type: string): string {
  return /^(STRING|VARCHAR|CHAR)/i.test(type.trim()) ? "'***'" : `CAST(NULL AS ${type})`;
}

/** Spark dialect with three-part names and Unity Catalog governance. */
export const databricksDialect: DatabricksDialect = {
  ...sparkDialect,
  name: 'databricks',
  capabilities,
  createCatalogIfNotExists(catalog) {
    return `CREATE CATALOG IF NOT EXISTS ${this.quoteIdentifier(catalog)}`;
  },
  grant(rel, privilege, principal) {
    return `GRANT ${privilege.toUpperCase()} ON TABLE ${this.relation(rel)} TO ${this.quoteIdentifier(principal)}`;
  },
  revoke(rel, privilege, principal) {
    return `REVOKE ${privilege.toUpperCase()} ON TABLE ${this.relation(rel)} FROM ${this.quoteIdentifier(principal)}`;
  },
  showGrants(rel) {
    return `SHOW GRANTS ON TABLE ${this.relation(rel)}`;
  },
  createMaskFunction(fn, columnType, unmaskedGroup) {
    return [
      `CREATE FUNCTION IF NOT EXISTS ${this.relation(fn)}(v ${columnType})`,
      `RETURNS ${columnType}`,
      `COMMENT 'mdl: PHI column mask; members of ${unmaskedGroup.replaceAll("'", '')} see the value'`,
      `RETURN CASE WHEN is_account_group_member(${this.stringLiteral(unmaskedGroup)}) THEN v ELSE ${maskedValue(columnType)} END`,
    ].join('\n');
  },
  setColumnMask(rel, column, fn) {
    return `ALTER TABLE ${this.relation(rel)} ALTER COLUMN ${this.quoteIdentifier(column)} SET MASK ${this.relation(fn)}`;
  },
  dropColumnMask(rel, column) {
    return `ALTER TABLE ${this.relation(rel)} ALTER COLUMN ${this.quoteIdentifier(column)} DROP MASK`;
  },
  setRowFilter(rel, fn, columns) {
    const fnName = fn
      .split('.')
      .map((p) => this.quoteIdentifier(p))
      .join('.');
    return `ALTER TABLE ${this.relation(rel)} SET ROW FILTER ${fnName} ON (${columns.map((c) => this.quoteIdentifier(c)).join(', ')})`;
  },
  dropRowFilter(rel) {
    return `ALTER TABLE ${this.relation(rel)} DROP ROW FILTER`;
  },
  setTags(rel, tags, kind) {
    const list = Object.entries(tags).map(
      ([k, v]) => `${this.stringLiteral(k)} = ${this.stringLiteral(v)}`,
    );
    return `ALTER ${kind === 'view' ? 'VIEW' : 'TABLE'} ${this.relation(rel)} SET TAGS (${list.join(', ')})`;
  },
  setColumnTags(rel, column, tags) {
    const list = Object.entries(tags).map(
      ([k, v]) => `${this.stringLiteral(k)} = ${this.stringLiteral(v)}`,
    );
    return `ALTER TABLE ${this.relation(rel)} ALTER COLUMN ${this.quoteIdentifier(column)} SET TAGS (${list.join(', ')})`;
  },
};
