import path from 'node:path';
import { MISSING_RELATION, relationKey } from '../adapters/adapter.js';
import type {
  ExecutableNode,
  ManifestNode,
  ModelNode,
  SeedNode,
  SnapshotNode,
  TestNode,
} from '../compiler/manifest.js';
import type { Connection } from '../connections/connection.js';
import type { ColumnDef } from '../dialects/dialect.js';
import { isMdlError, MdlError } from '../errors/mdl-error.js';
import { planDataTest } from '../materializations/data-test.js';
import { hookSteps } from '../materializations/hooks.js';
import { isIncrementalRun } from '../materializations/incremental.js';
import { strategyFor } from '../materializations/registry.js';
import { buildSelectSql } from '../materializations/select-sql.js';
import type { RelationState, StrategyInput } from '../materializations/strategy.js';
import { testStatus } from '../materializations/test-thresholds.js';
import type { NodeResult } from './run-result.js';
import type { RunContext } from './run-context.js';
import { runPlan } from './run-plan.js';
import { afterBuild } from '../adapters/after-build.js';
import { checkSeedCsv } from './seed-csv-check.js';
import { quarantinedCountSql } from '../quarantine/count.js';

/** Partial result of building one node (timing is added by {@link executeNode}). */
type Outcome = Omit<NodeResult, 'uniqueId' | 'startedAt' | 'completedAt' | 'executionTimeMs'>;

function stateOf(
  ctx: RunContext,
  node: { readonly relation: ModelNode['relation'] },
): RelationState {
  return ctx.introspection.relations.get(relationKey(node.relation)) ?? MISSING_RELATION;
}

/** Drops leftovers of an interrupted earlier run (`<name>__mdl_*`) before building the node. */
async function dropStaleTemps(
  ctx: RunContext,
  conn: Connection,
  node: ExecutableNode,
): Promise<void> {
  const stale = ctx.introspection.staleTemps.get(relationKey(node.relation)) ?? [];
  for (const t of stale) {
    await conn.execute(ctx.adapter.dialect.dropRelationIfExists(t.relation, t.kind));
    ctx.log({
      event: 'info',
      node: node.uniqueId,
      message: `dropped stale temporary relation ${t.relation.identifier}`,
    });
  }
}

async function buildRelation(
  ctx: RunContext,
  conn: Connection,
  node: ModelNode | SnapshotNode | SeedNode,
  signal: AbortSignal,
): Promise<Outcome> {
  const { adapter } = ctx;
  const dialect = adapter.dialect;
  const state = stateOf(ctx, node);
  await dropStaleTemps(ctx, conn, node);
  let selectSql: string;
  let needColumns: boolean;
  if (node.resourceType === 'seed') {
    const abs = path.resolve(ctx.projectDir, node.seedPath);
    const types = node.config.column_types;
    checkSeedCsv(abs, node.seedPath, types, node.uniqueId);
    selectSql = dialect.readCsvSelect(abs, types);
    needColumns = state.exists;
  } else {
    const incremental =
      node.resourceType === 'model' &&
      node.config.materialized === 'incremental' &&
      isIncrementalRun(node, state, ctx.options.fullRefresh);
    selectSql = buildSelectSql(node, dialect, { incremental });
    needColumns = incremental || node.resourceType === 'snapshot';
  }
  let selectColumns: readonly ColumnDef[] = [];
  if (needColumns) {
    try {
      selectColumns = await adapter.describeSelect(conn, selectSql);
    } catch (err) {
      throw seedOrSqlError(err, node);
    }
  }
  const input: StrategyInput = {
    node,
    dialect,
    state,
    selectSql,
    selectColumns,
    options: ctx.options,
  };
  const plan = strategyFor(node)(input);
  const pre = hookSteps(node, dialect, 'pre_hook');
  const post = hookSteps(node, dialect, 'post_hook');
  const observe = {
    signal,
    node: node.uniqueId,
    redact: phiColumns(node),
    onStep: (step: { readonly label: string }, ms: number) =>
      ctx.log({
        event: 'step',
        node: node.uniqueId,
        label: step.label,
        ms: Math.round(ms * 10) / 10,
      }),
  };
  let rows: number | undefined;
  try {
    if (pre.length > 0)
      await runPlan(conn, dialect, { steps: pre, transaction: false, cleanup: [] }, observe);
    rows = await runPlan(conn, dialect, plan, observe);
    if (post.length > 0)
      await runPlan(conn, dialect, { steps: post, transaction: false, cleanup: [] }, observe);
    // Comments, grants, masks, row filters and tags are re-applied after every (re)build.
    const kind =
      node.resourceType !== 'seed' && node.config.materialized === 'view' ? 'view' : 'table';
    for (const label of await afterBuild(adapter, conn, node, kind))
      ctx.log({ event: 'step', node: node.uniqueId, label, ms: 0 });
  } catch (err) {
    throw seedOrSqlError(err, node);
  }
  const outcome: Outcome = {
    status: 'success',
    ...(rows === undefined ? {} : { rowsAffected: rows }),
  };
  const countSql = plan.steps.length > 0 ? quarantinedCountSql(node, dialect) : undefined;
  if (countSql !== undefined) {
    const q = await conn.query(countSql, { signal });
    return { ...outcome, quarantined: Number(q[0]?.quarantined ?? 0) };
  }
  return outcome;
}

/** Seed read errors become E_SEED naming the CSV; everything else keeps its code and gets the node. */
function seedOrSqlError(err: unknown, node: ExecutableNode): unknown {
  if (!isMdlError(err)) return err;
  if (node.resourceType === 'seed' && err.code === 'E_SQL') {
    return new MdlError('E_SEED', `cannot load seed: ${err.message.split('\n\n')[0] ?? ''}`, {
      file: node.seedPath,
      node: node.uniqueId,
      hint: 'check the CSV and the column_types of the seed',
      cause: err,
    });
  }
  if (err.node !== undefined) return err;
  return new MdlError(err.code, err.message, {
    node: node.uniqueId,
    file: node.originalFilePath,
    ...(err.hint === undefined ? {} : { hint: err.hint }),
    cause: err,
  });
}

async function runTest(
  ctx: RunContext,
  conn: Connection,
  node: TestNode,
  signal: AbortSignal,
): Promise<Outcome> {
  const dialect = ctx.adapter.dialect;
  const where = { node: node.uniqueId, file: node.originalFilePath, line: node.line };
  const plan = planDataTest({
    node,
    dialect,
    selectSql: buildSelectSql(node, dialect, { incremental: false }),
    targetSchema: ctx.targetSchema,
  });
  let failures: number;
  try {
    await runPlan(
      conn,
      dialect,
      { steps: plan.storeSteps, transaction: false, cleanup: [] },
      { signal, node: node.uniqueId },
    );
    const rows = await conn.query(plan.countSql, { signal });
    failures = Number(rows[0]?.failures ?? 0);
  } catch (err) {
    throw seedOrSqlError(err, node);
  }
  const status = testStatus(failures, node.config, where);
  const stored =
    plan.auditRelation === undefined
      ? ''
      : `; failing rows in ${dialect.relation(plan.auditRelation)}`;
  const message =
    status === 'pass' ? undefined : `${failures} failing row${failures === 1 ? '' : 's'}${stored}`;
  return { status, failures, ...(message === undefined ? {} : { message }) };
}

/**
 * Builds or tests one node on a pooled connection and never throws: failures become an `error`
 * result (code + message without row values), an abort becomes `cancelled`.
 */
export async function executeNode(
  ctx: RunContext,
  node: ManifestNode,
  signal: AbortSignal,
): Promise<NodeResult> {
  const started = new Date();
  const t0 = performance.now();
  const finish = (o: Outcome): NodeResult => ({
    uniqueId: node.uniqueId,
    ...o,
    startedAt: started.toISOString(),
    completedAt: new Date().toISOString(),
    executionTimeMs: Math.round((performance.now() - t0) * 10) / 10,
  });
  if (node.resourceType === 'source') return finish({ status: 'success', message: 'source' });
  if (node.resourceType === 'model' && node.config.materialized === 'ephemeral') {
    return finish({ status: 'success', message: 'ephemeral (inlined into dependants)' });
  }
  if (signal.aborted) return finish({ status: 'cancelled', message: 'cancelled before start' });
  ctx.log({ event: 'node_start', node: node.uniqueId });
  const conn = await ctx.adapter.pool.acquire();
  const onAbort = (): void => void conn.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome =
      node.resourceType === 'test'
        ? await runTest(ctx, conn, node, signal)
        : await buildRelation(ctx, conn, node, signal);
    return finish(outcome);
  } catch (err) {
    if (signal.aborted || (isMdlError(err) && err.code === 'E_CANCELLED')) {
      return finish({
        status: 'cancelled',
        message: 'cancelled; changes rolled back',
        errorCode: 'E_CANCELLED',
      });
    }
    const e = isMdlError(err)
      ? err
      : new MdlError('E_INTERNAL', err instanceof Error ? err.message : String(err), {
          node: node.uniqueId,
        });
    return finish({
      status: 'error',
      errorCode: e.code,
      message: e.hint === undefined ? e.message : `${e.message} (hint: ${e.hint})`,
    });
  } finally {
    signal.removeEventListener('abort', onAbort);
    ctx.adapter.pool.release(conn);
  }
}

/** Lower-cased names of the node's columns tagged `meta: {phi: true}` in YAML. */
function phiColumns(node: ExecutableNode): ReadonlySet<string> {
  return new Set(
    Object.values(node.columns)
      .filter((c) => c.meta.phi === true)
      .map((c) => c.name.toLowerCase()),
  );
}
