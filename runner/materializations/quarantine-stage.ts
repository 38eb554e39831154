import type { ModelNode, SnapshotNode } from '../compiler/manifest.js';
import type { Dialect } from '../dialects/dialect.js';
import { applyQuarantine } from '../quarantine/apply.js';

/**
 * THE single call site of the quarantine engine (runner/quarantine/apply.ts, issue 4): adds
 * `is_quarantined` / `quarantine_reasons` to the SELECT of models that declare quarantine rules
 * (unchanged otherwise).
 */
export function applyQuarantineStage(
  selectSql: string,
  node: ModelNode | SnapshotNode,
  dialect: Dialect,
): string {
  return applyQuarantine(selectSql, node, dialect);
}
