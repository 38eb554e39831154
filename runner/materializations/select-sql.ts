import type { ModelNode, SnapshotNode, TestNode } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import { applyQuarantineStage } from './quarantine-stage.js';

type Cte = ModelNode['ctes'][number];

/** Name under which an ephemeral model is inlined (the compiler renders refs to it this way). */
export function cteName(cte: Cte): string {
  return cte.name.startsWith('__mdl_ephemeral__') ? cte.name : `__mdl_ephemeral__${cte.name}`;
}

/** Leading comments and an optional `WITH [RECURSIVE]` of a statement. */
const LEADING_WITH = /^((?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/)*)with(\s+recursive)?\s/i;

/** Removes trailing semicolons/whitespace so the SELECT can be wrapped in a subquery. */
export function stripTrailingSemicolon(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/**
 * Prepends ephemeral models as CTEs. When the SELECT already starts with `WITH`, the ephemeral
 * CTEs join that list (a second WITH would be a syntax error).
 */
export function inlineCtes(sql: string, ctes: readonly Cte[]): string {
  const body = stripTrailingSemicolon(sql);
  if (ctes.length === 0) return body;
  const defs = ctes
    .map((c) => `${cteName(c)} AS (\n${stripTrailingSemicolon(c.sql)}\n)`)
    .join(',\n');
  const m = LEADING_WITH.exec(body);
  if (m !== null) return `${m[1] ?? ''}WITH${m[2] ?? ''} ${defs},\n${body.slice(m[0].length)}`;
  return `WITH ${defs}\n${body}`;
}

/**
 * The final SELECT the executor runs for a node: `incrementalSql` when the run is incremental
 * (and the model has one), ephemeral CTEs inlined, then the quarantine columns added for
 * models/snapshots that declare quarantine rules.
 */
export function buildSelectSql(
  node: ModelNode | SnapshotNode | TestNode,
  dialect: Dialect,
  opts: { readonly incremental: boolean },
): string {
  const base =
    node.resourceType === 'model' && opts.incremental && node.incrementalSql !== undefined
      ? node.incrementalSql
      : node.compiledSql;
  const sql = inlineCtes(base, node.ctes);
  return node.resourceType === 'test' ? sql : applyQuarantineStage(sql, node, dialect);
}
