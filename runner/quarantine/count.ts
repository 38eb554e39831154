import type { ExecutableNode } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import { QUARANTINE_COLUMNS } from './apply.js';

/**
 * A query returning one row `{quarantined}`: rows flagged `is_quarantined` in the node's built
 * relation (for snapshots, current versions only), for run results and the per-model summary.
 * Undefined when the node declares no quarantine rules.
 */
export function quarantinedCountSql(node: ExecutableNode, dialect: Dialect): string | undefined {
  if (node.config.quarantine === undefined) return undefined;
  if (node.resourceType !== 'model' && node.resourceType !== 'snapshot') return undefined;
  if (node.config.materialized === 'ephemeral') return undefined;
  const flag = dialect.quoteIdentifier(QUARANTINE_COLUMNS.flag);
  let where = flag;
  if (node.resourceType === 'snapshot') {
    const meta = node.config.snapshot_meta_column_names as Record<string, unknown> | undefined;
    const isCurrent = meta?.is_current ?? meta?.dbt_is_current;
    where += ` AND ${dialect.quoteIdentifier(typeof isCurrent === 'string' ? isCurrent : 'is_current')}`;
  }
  return `SELECT count(*) AS quarantined FROM ${dialect.relation(node.relation)} WHERE ${where}`;
}
