import type { ModelNode } from '../compiler/manifest.js';
import type { Strategy } from './strategy.js';

/**
 * `view`: one `CREATE OR REPLACE VIEW` (atomic on its own). A table of the same name from an
 * earlier materialization is dropped first, in the same transaction.
 */
export const viewStrategy: Strategy<ModelNode> = ({ node, dialect, state, selectSql }) => {
  const create = {
    sql: dialect.createView(node.relation, selectSql),
    label: 'create view',
    kind: 'exec',
  } as const;
  if (state.exists && state.kind === 'table') {
    return {
      steps: [
        {
          sql: dialect.dropRelationIfExists(node.relation, 'table'),
          label: 'drop previous table',
          kind: 'exec',
        },
        create,
      ],
      transaction: dialect.capabilities.transactions,
      cleanup: [],
    };
  }
  return { steps: [create], transaction: false, cleanup: [] };
};
