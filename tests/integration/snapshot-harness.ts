/**
 * Test harness for snapshot plans: builds SnapshotNodes, introspects a real DuckDB the way the
 * executor does (DESCRIBE of the SELECT, information_schema of the table), runs a plan in one
 * transaction, and checks SCD2 invariants. Not a test file itself.
 */
import type { SnapshotNode } from '../../runner/compiler/manifest.js';
import type { Connection, Row } from '../../runner/connections/connection.js';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import type { ColumnDef } from '../../runner/dialects/dialect.js';
import { duckdbDialect } from '../../runner/dialects/duckdb-dialect.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { describeDuplicateKeys, planSnapshot } from '../../runner/materializations/snapshot.js';
import type { MaterializationPlan } from '../../runner/materializations/strategy.js';

export async function memoryDb(): Promise<Connection> {
  return openDuckDb({
    type: 'duckdb',
    name: 'test',
    path: ':memory:',
    schema: 'main',
    threads: 1,
    settings: {},
  });
}

export function snapshotNode(
  config: Readonly<Record<string, unknown>>,
  identifier = 'snap',
  schema = 'snapshots',
): SnapshotNode {
  return {
    resourceType: 'snapshot',
    uniqueId: `snapshot.test.${identifier}`,
    name: identifier,
    packageName: 'test',
    fqn: ['test', identifier],
    originalFilePath: `snapshots/${identifier}.sql`,
    line: 1,
    description: '',
    tags: [],
    meta: {},
    config: {
      materialized: 'snapshot',
      enabled: true,
      tags: [],
      meta: {},
      ...config,
    },
    dependsOn: { nodes: [], macros: [] },
    columns: {},
    checksum: '0',
    relation: { schema, identifier },
    rawSql: '',
    compiledSql: '',
    ctes: [],
  };
}

export async function describeSelect(conn: Connection, sql: string): Promise<ColumnDef[]> {
  const rows = await conn.query(`DESCRIBE ${sql}`);
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

export async function tableColumns(
  conn: Connection,
  schema: string,
  table: string,
): Promise<ColumnDef[]> {
  const rows = await conn.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '${schema}' AND table_name = '${table}' ORDER BY ordinal_position`,
  );
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
}

/** Plans the snapshot against the database's current state. */
export async function planFor(
  conn: Connection,
  node: SnapshotNode,
  selectSql: string,
  now?: string,
): Promise<MaterializationPlan> {
  const cols = await tableColumns(conn, node.relation.schema, node.relation.identifier);
  return planSnapshot(
    {
      node,
      dialect: duckdbDialect,
      state:
        cols.length > 0
          ? { exists: true, kind: 'table', columns: cols }
          : { exists: false, columns: [] },
      selectSql,
      selectColumns: await describeSelect(conn, selectSql),
      options: { fullRefresh: false, runId: 'test' },
    },
    now === undefined ? {} : { now },
  );
}

/** Runs a plan like the executor: BEGIN, steps (check steps fail the run), COMMIT / ROLLBACK. */
export async function executePlan(
  conn: Connection,
  plan: MaterializationPlan,
  uniqueKey: readonly string[] = [],
): Promise<number> {
  let rows = 0;
  if (plan.transaction) await conn.execute('BEGIN TRANSACTION');
  try {
    for (const step of plan.steps) {
      if (step.kind === 'check') {
        const found = await conn.query(step.sql);
        if (found.length > 0 && step.failWith !== undefined) {
          throw new MdlError(
            step.failWith.code,
            describeDuplicateKeys(step.failWith.message, uniqueKey, found),
          );
        }
      } else {
        const r = await conn.execute(step.sql);
        if (step.kind === 'rows') rows += r.rowsAffected ?? 0;
      }
    }
    if (plan.transaction) await conn.execute('COMMIT');
  } catch (err) {
    if (plan.transaction) await conn.execute('ROLLBACK');
    throw err;
  }
  return rows;
}

/** Plans and runs one snapshot batch; returns rows affected. */
export async function runSnapshot(
  conn: Connection,
  node: SnapshotNode,
  selectSql: string,
  now?: string,
): Promise<number> {
  const plan = await planFor(conn, node, selectSql, now);
  const key = node.config.unique_key;
  return executePlan(conn, plan, typeof key === 'string' ? [key] : (key ?? []));
}

/** ISO text without the `T`, for compact expectations. */
export function ts(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? v : JSON.stringify(v)).replace('T', ' ');
}

/** Checks the SCD2 invariants; returns a list of violations (empty when all hold). */
export async function invariantViolations(
  conn: Connection,
  table: string,
  keyExpr: string,
  meta = { valid_from: 'valid_from', valid_to: 'valid_to', is_current: 'is_current' },
  allowGaps = true,
): Promise<string[]> {
  const out: string[] = [];
  const { valid_from: vf, valid_to: vt, is_current: cur } = meta;
  const twoCurrent = await conn.query(
    `SELECT ${keyExpr} AS k, count(*) AS n FROM ${table} WHERE ${cur} GROUP BY ALL HAVING count(*) > 1`,
  );
  if (twoCurrent.length > 0) out.push(`${twoCurrent.length} keys with several current rows`);
  const bad = await conn.query(
    `SELECT count(*) AS n FROM ${table} WHERE (${cur} AND ${vt} IS NOT NULL AND ${vt} < TIMESTAMP '9999-01-01') OR (NOT ${cur} AND ${vt} IS NULL) OR ${vt} <= ${vf}`,
  );
  if (Number((bad[0] as Row).n) > 0)
    out.push(`${String((bad[0] as Row).n)} rows with an invalid period`);
  const overlaps = await conn.query(
    `SELECT count(*) AS n FROM (
       SELECT ${vf} AS f, ${vt} AS t, lead(${vf}) OVER (PARTITION BY ${keyExpr} ORDER BY ${vf}) AS nf,
              lead(${cur}) OVER (PARTITION BY ${keyExpr} ORDER BY ${vf}) AS nc, ${cur} AS c
       FROM ${table}) WHERE nf IS NOT NULL AND (c OR t > nf ${allowGaps ? '' : 'OR t <> nf'})`,
  );
  if (Number((overlaps[0] as Row).n) > 0)
    out.push(`${String((overlaps[0] as Row).n)} overlapping or non-contiguous periods`);
  return out;
}
