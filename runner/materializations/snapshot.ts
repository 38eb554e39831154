import type { SnapshotNode } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';
import type { Row } from '../connections/connection.js';
import type { MaterializationPlan, SqlStep, Strategy, StrategyInput } from './strategy.js';
import { snapshotSpec } from './snapshot-config.js';
import { planSnapshotSchema, validateSourceColumns } from './snapshot-schema.js';
import type { SnapshotSqlContext } from './snapshot-sql.js';
import { duplicateKeysSql, initialSelectSql, mergeSpec, stagedChangesSql } from './snapshot-sql.js';

/** Planning knobs that are not node config. */
export interface SnapshotPlanOptions {
  /**
   * SQL expression of the snapshot time. Defaults to the dialect's current timestamp; tests and
   * replays pass a literal so that history is reproducible.
   */
  readonly now?: string;
}

/**
 * Plans one snapshot (SCD2) run:
 * 1. `check`: the batch has no duplicate unique keys (E_DUPLICATE_KEYS, up to 10 keys) — before
 *    anything is written;
 * 2. first run: CREATE TABLE AS the batch with one open version per key;
 *    later runs: ADD COLUMN for new source columns, then ONE MERGE that closes changed/deleted
 *    versions and inserts new ones (see {@link stagedChangesSql}).
 * All steps run in one transaction, so a crash leaves the old or the new state, never a mix.
 * Reruns over the same batch change nothing.
 */
export function planSnapshot(
  input: StrategyInput<SnapshotNode>,
  opts: SnapshotPlanOptions = {},
): MaterializationPlan {
  const { node, dialect, state } = input;
  const spec = snapshotSpec(node);
  if (state.exists && state.kind === 'view') {
    throw new MdlError(
      'E_SNAPSHOT',
      `snapshot relation ${dialect.relation(node.relation)} is a view`,
      {
        file: node.originalFilePath,
        line: node.line,
        node: node.uniqueId,
        hint: 'drop the view (a snapshot keeps history in a table) or change the snapshot alias',
      },
    );
  }
  validateSourceColumns(node, spec, input.selectColumns);
  const plan = planSnapshotSchema(
    node,
    spec,
    input.selectColumns,
    state.exists ? state.columns : undefined,
    dialect,
  );
  const ctx: SnapshotSqlContext = {
    dialect,
    spec,
    target: node.relation,
    selectSql: input.selectSql,
    now: opts.now ?? dialect.currentTimestamp(),
  };
  const checkStep = (sql: string): SqlStep => ({
    sql,
    label: 'check unique_key',
    kind: 'check',
    failWith: {
      code: 'E_DUPLICATE_KEYS',
      message: `snapshot batch has duplicate unique_key (${spec.uniqueKey.join(', ')}) values; nothing was written`,
    },
  });
  const tx = dialect.capabilities.transactions;
  const steps: SqlStep[] = [];
  // Without transactions the check must pass before anything is written.
  if (!tx || state.exists) steps.push(checkStep(duplicateKeysSql(ctx)));
  if (!state.exists) {
    steps.push({
      sql: dialect.createSchemaIfNotExists(node.relation.catalog, node.relation.schema),
      label: 'create schema',
      kind: 'exec',
    });
    steps.push({
      sql: dialect.createTableAs(node.relation, initialSelectSql(ctx, plan)),
      label: 'create snapshot',
      kind: 'rows',
    });
    // With a transaction, check the created table instead of evaluating the batch twice: it holds
    // exactly one row per batch row, and a failed check rolls the CREATE back.
    if (tx)
      steps.push(
        checkStep(
          duplicateKeysSql({
            ...ctx,
            selectSql: `SELECT * FROM ${dialect.relation(node.relation)}`,
          }),
        ),
      );
  } else {
    for (const col of plan.addColumns) {
      steps.push({ sql: dialect.addColumn(node.relation, col), label: 'add column', kind: 'exec' });
    }
    steps.push({
      sql: dialect.snapshotMerge(node.relation, stagedChangesSql(ctx, plan), mergeSpec(ctx, plan)),
      label: 'merge snapshot',
      kind: 'rows',
    });
  }
  return { steps, transaction: true, cleanup: [] };
}

/** The `snapshot` materialization (pure). */
export const snapshotStrategy: Strategy<SnapshotNode> = (input) => planSnapshot(input);

/**
 * Message for a failed duplicate-key check: the step's message plus up to 10 offending keys.
 * Key values are identifiers the user configured as `unique_key`, never other columns.
 */
export function describeDuplicateKeys(
  message: string,
  uniqueKey: readonly string[],
  rows: readonly Row[],
): string {
  const keys = rows.slice(0, 10).map((r) => {
    const parts = uniqueKey.map((k) => {
      const v =
        r[k] ?? Object.entries(r).find(([name]) => name.toLowerCase() === k.toLowerCase())?.[1];
      return `${k}=${keyText(v)}`;
    });
    return `(${parts.join(', ')})`;
  });
  return `${message}: ${keys.join(', ')}`;
}

function keyText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return `${v}`;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}
