import type { SeedNode } from '../compiler/manifest.js';
import { diffColumns, isSameSchema } from './schema-change.js';
import type { Strategy } from './strategy.js';
import { nodeTableOptions, tableSwapPlan } from './table-swap.js';

/**
 * `seed`: `selectSql` reads the CSV (the executor validates the file first). When the table
 * exists with the same columns and no full refresh is asked for, its rows are replaced in place
 * (DELETE + INSERT in one transaction: dependants and grants stay); otherwise — first load,
 * changed columns or `--full-refresh` — the table is rebuilt and swapped atomically.
 */
export const seedStrategy: Strategy<SeedNode> = ({
  node,
  dialect,
  state,
  selectSql,
  selectColumns,
  options,
}) => {
  const sameShape =
    state.exists &&
    state.kind === 'table' &&
    isSameSchema(diffColumns(state.columns, selectColumns));
  if (!sameShape || options.fullRefresh || !dialect.capabilities.transactions) {
    return tableSwapPlan(
      dialect,
      node.relation,
      state,
      selectSql,
      options.runId,
      undefined,
      nodeTableOptions(node),
    );
  }
  return {
    steps: [
      { sql: dialect.deleteAll(node.relation), label: 'delete previous rows', kind: 'exec' },
      {
        sql: dialect.insertInto(
          node.relation,
          state.columns.map((c) => c.name),
          selectSql,
        ),
        label: 'insert rows',
        kind: 'rows',
      },
    ],
    transaction: true,
    cleanup: [],
  };
};
