import type { ModelNode } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';
import { duplicateKeyCheck } from './duplicate-keys.js';
import { describeDiff, diffColumns, isSameSchema } from './schema-change.js';
import type { MaterializationPlan, SqlStep, Strategy, StrategyInput } from './strategy.js';
import { tempRelation } from './strategy.js';
import { nodeTableOptions, tableSwapPlan } from './table-swap.js';

/** unique_key as a list (the compiler normalises it; a bare string is accepted defensively). */
export function uniqueKeyOf(node: ModelNode): readonly string[] {
  const k: unknown = node.config.unique_key;
  if (typeof k === 'string') return [k];
  return Array.isArray(k) ? k.map(String) : [];
}

/**
 * Whether this run builds the model incrementally: the relation exists as a table and a full
 * refresh was not asked for (`full_refresh: false` in config pins incremental even then).
 */
export function isIncrementalRun(
  node: ModelNode,
  state: StrategyInput['state'],
  fullRefreshFlag: boolean,
): boolean {
  if (!state.exists || state.kind !== 'table') return false;
  const pinned = node.config.full_refresh === false;
  const fullRefresh = node.config.full_refresh === true || (fullRefreshFlag && !pinned);
  return !fullRefresh;
}

/**
 * `incremental`: first run (or full refresh) = table build; later runs stage the new batch in a
 * temp table, check unique_key duplicates, apply `on_schema_change`, then merge / delete+insert /
 * append — all in ONE transaction, so a failure leaves the table as it was.
 */
export const incrementalStrategy: Strategy<ModelNode> = (input) => {
  const { node, dialect, state, selectSql, selectColumns, options } = input;
  const keys = uniqueKeyOf(node);
  const strategy = node.config.incremental_strategy ?? (keys.length > 0 ? 'merge' : 'append');
  const checkKeys = keys.length > 0 && strategy !== 'append';

  if (!isIncrementalRun(node, state, options.fullRefresh)) {
    return tableSwapPlan(
      dialect,
      node.relation,
      state,
      selectSql,
      options.runId,
      checkKeys ? (tmp) => [duplicateKeyCheck(dialect, tmp, keys, node.name)] : undefined,
      nodeTableOptions(node),
    );
  }

  const rel = node.relation;
  const batch = tempRelation(rel, 'batch', options.runId);
  const steps: SqlStep[] = [
    { sql: dialect.createTableAs(batch, selectSql), label: 'stage new batch', kind: 'exec' },
  ];
  if (checkKeys) steps.push(duplicateKeyCheck(dialect, batch, keys, node.name));

  const diff = diffColumns(state.columns, selectColumns);
  const mode = node.config.on_schema_change ?? 'ignore';
  let columns: string[] = [...diff.common];
  if (!isSameSchema(diff)) {
    const where = { node: node.uniqueId, file: node.originalFilePath, line: node.line };
    switch (mode) {
      case 'ignore':
        break;
      case 'fail':
        throw new MdlError(
          'E_SCHEMA_CHANGE',
          `${node.name}: the model's columns changed since the table was built: ${describeDiff(diff)}`,
          {
            ...where,
            hint: 'set on_schema_change to append_new_columns or sync_all_columns, or run with --full-refresh',
          },
        );
      case 'append_new_columns':
        for (const c of diff.added)
          steps.push({
            sql: dialect.addColumn(rel, c),
            label: `add column ${c.name}`,
            kind: 'exec',
          });
        columns = [...diff.common, ...diff.added.map((c) => c.name)];
        break;
      case 'sync_all_columns':
        if (diff.typeChanged.length > 0) {
          throw new MdlError(
            'E_SCHEMA_CHANGE',
            `${node.name}: on_schema_change=sync_all_columns cannot change column types in place: ${describeDiff({ ...diff, added: [], removed: [] })}`,
            { ...where, hint: 'run with --full-refresh to rebuild the table with the new types' },
          );
        }
        for (const c of diff.removed)
          steps.push({
            sql: dialect.dropColumn(rel, c.name),
            label: `drop column ${c.name}`,
            kind: 'exec',
          });
        for (const c of diff.added)
          steps.push({
            sql: dialect.addColumn(rel, c),
            label: `add column ${c.name}`,
            kind: 'exec',
          });
        columns = [...diff.common, ...diff.added.map((c) => c.name)];
        break;
    }
  }
  const missingKeys = keys.filter((k) => !columns.some((c) => c.toLowerCase() === k.toLowerCase()));
  if (checkKeys && missingKeys.length > 0) {
    throw new MdlError(
      'E_CONFIG',
      `${node.name}: unique_key column(s) ${missingKeys.join(', ')} are not produced by the model and the table`,
      {
        node: node.uniqueId,
        file: node.originalFilePath,
        line: node.line,
        hint: 'make unique_key name columns the SELECT returns',
      },
    );
  }

  const batchSelect = `SELECT * FROM ${dialect.relation(batch)}`;
  switch (strategy) {
    case 'merge':
      if (checkKeys) {
        const keySet = new Set(keys.map((k) => k.toLowerCase()));
        const update = columns.filter((c) => !keySet.has(c.toLowerCase()));
        steps.push({
          sql: dialect.mergeInto(rel, batch, keys, update, columns),
          label: 'merge',
          kind: 'rows',
        });
        break;
      }
      steps.push({
        sql: dialect.insertInto(rel, columns, batchSelect),
        label: 'append',
        kind: 'rows',
      });
      break;
    case 'delete+insert':
      if (checkKeys)
        steps.push({
          sql: dialect.deleteMatchingKeys(rel, batch, keys),
          label: 'delete matching keys',
          kind: 'exec',
        });
      steps.push({
        sql: dialect.insertInto(rel, columns, batchSelect),
        label: 'insert',
        kind: 'rows',
      });
      break;
    case 'append':
      steps.push({
        sql: dialect.insertInto(rel, columns, batchSelect),
        label: 'append',
        kind: 'rows',
      });
      break;
  }
  const dropBatch: SqlStep = {
    sql: dialect.dropRelationIfExists(batch, 'table'),
    label: 'drop staged batch',
    kind: 'exec',
  };
  const plan: MaterializationPlan = dialect.capabilities.transactions
    ? { steps: [...steps, dropBatch], transaction: true, cleanup: [] }
    : { steps, transaction: false, cleanup: [dropBatch] };
  return plan;
};
