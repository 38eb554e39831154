import type { ModelNode } from '../compiler/manifest.js';
import type { Strategy } from './strategy.js';
import { nodeTableOptions, tableSwapPlan } from './table-swap.js';

/** `table`: rebuild under a temporary name, then swap (see {@link tableSwapPlan}). */
export const tableStrategy: Strategy<ModelNode> = ({ node, dialect, state, selectSql, options }) =>
  tableSwapPlan(
    dialect,
    node.relation,
    state,
    selectSql,
    options.runId,
    undefined,
    nodeTableOptions(node),
  );
