import type { ExecutableNode, RelationName } from '../compiler/manifest.js';
import { tableDdlOptions } from '../dialects/table-options.js';
import type { Dialect } from '../dialects/dialect.js';
import type { TableDdlOptions } from '../dialects/table-options.js';
import type { MaterializationPlan, RelationState, SqlStep } from './strategy.js';
import { tempRelation } from './strategy.js';

/** Extra steps run on the freshly built temp table before it replaces the target (e.g. a key check). */
export type TempChecks = (temp: RelationName) => readonly SqlStep[];

/**
 * Builds `selectSql` into `rel` so that readers see either the old or the new table, never a
 * half-built one. With transactions: build `<name>__mdl_tmp_<runId>`, drop the old relation and
 * rename, all in ONE transaction (a crash or failure rolls back to the previous table and leaves no
 * temp relation). Without transactions (Delta): one atomic `CREATE OR REPLACE TABLE`.
 */
export function tableSwapPlan(
  dialect: Dialect,
  rel: RelationName,
  state: RelationState,
  selectSql: string,
  runId: string,
  checks?: TempChecks,
  table?: TableDdlOptions,
): MaterializationPlan {
  // Table options (partitioning, clustering, properties, comment) go on the statement that
  // creates the relation readers will see: the temp table that is renamed, or the replace.
  const ddl = table === undefined ? {} : { table };
  const caps = dialect.capabilities;
  if (caps.transactions && caps.renameTable) {
    const tmp = tempRelation(rel, 'tmp', runId);
    const steps: SqlStep[] = [
      { sql: dialect.createTableAs(tmp, selectSql, ddl), label: 'build temp table', kind: 'rows' },
      ...(checks?.(tmp) ?? []),
    ];
    if (state.exists) {
      steps.push({
        sql: dialect.dropRelationIfExists(rel, state.kind ?? 'table'),
        label: `drop previous ${state.kind ?? 'table'}`,
        kind: 'exec',
      });
    }
    steps.push({
      sql: dialect.renameRelation(tmp, rel.identifier, 'table'),
      label: 'swap in new table',
      kind: 'exec',
    });
    return { steps, transaction: true, cleanup: [] };
  }
  const steps: SqlStep[] = [];
  if (state.exists && state.kind === 'view') {
    steps.push({
      sql: dialect.dropRelationIfExists(rel, 'view'),
      label: 'drop previous view',
      kind: 'exec',
    });
  }
  if (checks !== undefined) {
    // Without transactions the checks must pass before the target is touched.
    const tmp = tempRelation(rel, 'tmp', runId);
    steps.push({
      sql: dialect.createTableAs(tmp, selectSql, { replace: true }),
      label: 'build temp table',
      kind: 'exec',
    });
    steps.push(...checks(tmp));
    steps.push({
      sql: dialect.createTableAs(rel, `SELECT * FROM ${dialect.relation(tmp)}`, {
        replace: true,
        ...ddl,
      }),
      label: 'replace table',
      kind: 'rows',
    });
    return {
      steps,
      transaction: false,
      cleanup: [
        { sql: dialect.dropRelationIfExists(tmp, 'table'), label: 'drop temp table', kind: 'exec' },
      ],
    };
  }
  steps.push({
    sql: dialect.createTableAs(rel, selectSql, { replace: true, ...ddl }),
    label: 'replace table',
    kind: 'rows',
  });
  return { steps, transaction: false, cleanup: [] };
}

/**
 * The table DDL options a node's config asks for (partitioning, clustering, properties). The
 * description is not passed: comments are written by `afterBuild` only when `persist_docs` asks.
 */
export function nodeTableOptions(node: ExecutableNode): TableDdlOptions {
  return tableDdlOptions(node.config, '', {
    node: node.uniqueId,
    file: node.originalFilePath,
  });
}
