import type { ExecutableNode } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import { MdlError } from '../errors/mdl-error.js';

/** Column names the quarantine wrapper adds. */
export const QUARANTINE_COLUMNS = {
  flag: 'is_quarantined',
  reasons: 'quarantine_reasons',
} as const;

/**
 * Wraps a model's SELECT so every row carries `quarantine_reasons` (the names of the rules the
 * row breaks, an empty array when clean) and `is_quarantined` (reasons not empty). Rows are never
 * dropped. A rule whose expression is NULL for a row does not fire (a NULL column is the job of
 * `not_null`). Nodes without `config.quarantine` are returned unchanged; an empty rule list still
 * adds the two columns (all rows clean), so a table's schema does not depend on the rules.
 */
export function applyQuarantine(selectSql: string, node: ExecutableNode, dialect: Dialect): string {
  const rules = node.config.quarantine;
  if (rules === undefined || node.resourceType === 'test' || node.resourceType === 'seed') {
    return selectSql;
  }
  for (const r of rules) {
    if (r.when.includes('{{') || r.when.includes('{%')) {
      // A macro rule that was never rendered would be a SQL syntax error far from its cause.
      throw new MdlError('E_CONFIG', `quarantine rule '${r.name}' was not rendered`, {
        file: node.originalFilePath,
        line: node.line,
        node: node.uniqueId,
        hint: 'macro rules must be rendered by the compiler (renderQuarantineRules); check that the macro exists',
      });
    }
  }
  const q = (c: string): string => dialect.quoteIdentifier(c);
  const body = selectSql.replace(/[\s;]+$/, '');
  const reasons = dialect.arrayOfNonNull(
    rules.map((r) => `CASE WHEN (${r.when}) THEN ${dialect.stringLiteral(r.name)} END`),
  );
  return [
    `SELECT __mdl_q.*, ${dialect.arrayLength(`__mdl_q.${q(QUARANTINE_COLUMNS.reasons)}`)} > 0 AS ${q(QUARANTINE_COLUMNS.flag)}`,
    'FROM (',
    `  SELECT __mdl_m.*, ${reasons} AS ${q(QUARANTINE_COLUMNS.reasons)}`,
    '  FROM (',
    body,
    '  ) AS __mdl_m',
    ') AS __mdl_q',
  ].join('\n');
}
