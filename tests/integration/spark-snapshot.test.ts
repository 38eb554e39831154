import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SnapshotNode } from '../../runner/compiler/manifest.js';
import type { Connection } from '../../runner/connections/connection.js';
import { SparkConnection } from '../../runner/connections/spark-connection.js';
import { columnsFromDescribe } from '../../runner/adapters/spark-introspect.js';
import { sparkDialect } from '../../runner/dialects/spark-dialect.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { describeDuplicateKeys, planSnapshot } from '../../runner/materializations/snapshot.js';
import { snapshotNode, ts } from './snapshot-harness.js';
import {
  dropSchemas,
  requireSparkOrReport,
  sparkAvailable,
  sparkOptions,
  uniqueSchema,
} from './spark-service.js';

// SCD2 conformance scenarios of snapshot-conformance.test.ts on Spark + Delta: the same plans
// (one MERGE per batch, no transactions) and the same expected history, row by row.
requireSparkOrReport('Spark snapshots');
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let conn: Connection;
let schema: string;
beforeAll(async () => {
  if (!sparkAvailable) return;
  schema = uniqueSchema('mdl_snap');
  conn = await SparkConnection.open(sparkOptions());
  await conn.execute(`CREATE SCHEMA ${schema}`);
});
afterAll(async () => {
  if (!sparkAvailable) return;
  await conn.close();
  await dropSchemas(schema);
});

const day = (d: number): string => `TIMESTAMP '2024-01-${String(d).padStart(2, '0')} 00:00:00'`;
const at = (d: number): string => `2024-01-${String(d).padStart(2, '0')} 00:00:00`;

function batch(rows: readonly (readonly [number, string | null, number])[]): string {
  const values = rows.map(
    ([id, name, d]) =>
      `(${id}, ${name === null ? 'CAST(NULL AS STRING)' : `'${name}'`}, ${day(d)})`,
  );
  return `SELECT * FROM VALUES ${values.join(', ')} AS v(id, name, upd)`;
}

/** Plans against Spark's current state (DESCRIBE) and runs the steps as the executor does without transactions. */
async function runSnapshot(node: SnapshotNode, selectSql: string, now: string): Promise<number> {
  const rel = sparkDialect.relation(node.relation);
  const exists =
    (await conn.query(`SHOW TABLES IN ${node.relation.schema} LIKE '${node.relation.identifier}'`))
      .length > 0;
  const columns = exists ? columnsFromDescribe(await conn.query(`DESCRIBE TABLE ${rel}`)) : [];
  const plan = planSnapshot(
    {
      node,
      dialect: sparkDialect,
      state: exists ? { exists: true, kind: 'table', columns } : { exists: false, columns: [] },
      selectSql,
      selectColumns: columnsFromDescribe(await conn.query(`DESCRIBE QUERY ${selectSql}`)),
      options: { fullRefresh: false, runId: 'test' },
    },
    { now },
  );
  const key = node.config.unique_key;
  let rows = 0;
  for (const step of plan.steps) {
    if (step.kind === 'check') {
      const found = await conn.query(step.sql);
      if (found.length > 0 && step.failWith !== undefined) {
        throw new MdlError(
          step.failWith.code,
          describeDuplicateKeys(
            step.failWith.message,
            typeof key === 'string' ? [key] : (key ?? []),
            found,
          ),
        );
      }
    } else {
      const r = await conn.execute(step.sql);
      if (step.kind === 'rows') rows += r.rowsAffected ?? 0;
    }
  }
  return rows;
}

async function history(table: string): Promise<unknown[][]> {
  const rows = await conn.query(
    `SELECT id, name, valid_from AS vf, valid_to AS vt, is_current AS cur FROM ${table} ORDER BY id, vf`,
  );
  return rows.map((r) => [r.id, r.name, ts(r.vf), ts(r.vt), r.cur]);
}

/** SCD2 invariants: one current row per key, valid periods, no overlaps. */
async function violations(table: string): Promise<number> {
  const r = await conn.query(`SELECT
      (SELECT count(*) FROM (SELECT id FROM ${table} WHERE is_current GROUP BY id HAVING count(*) > 1)) +
      (SELECT count(*) FROM ${table} WHERE (NOT is_current AND valid_to IS NULL) OR valid_to <= valid_from) +
      (SELECT count(*) FROM (SELECT valid_to AS t, lead(valid_from) OVER (PARTITION BY id ORDER BY valid_from) AS nf, is_current AS c FROM ${table}) WHERE nf IS NOT NULL AND (c OR t > nf)) AS v`);
  return Number(r[0]?.v);
}

describe.runIf(sparkAvailable)('Spark snapshots (SCD2, one MERGE per batch)', () => {
  it('timestamp strategy: new, changed, unchanged and late rows; reruns change nothing', async () => {
    const node = snapshotNode(
      { unique_key: 'id', strategy: 'timestamp', updated_at: 'upd' },
      'ts_snap',
      schema,
    );
    const t = `${schema}.ts_snap`;
    await runSnapshot(
      node,
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
        [3, 'c', 2],
      ]),
      day(5),
    );
    expect(await history(t)).toEqual([
      [1, 'a', at(1), null, true],
      [2, 'b', at(1), null, true],
      [3, 'c', at(2), null, true],
    ]);
    const changed = await runSnapshot(
      node,
      batch([
        [1, 'a2', 6],
        [2, 'b', 1],
        [3, 'c-old', 1],
        [4, 'd', 4],
      ]),
      day(7),
    );
    expect(changed).toBe(3);
    const expected = [
      [1, 'a', at(1), at(6), false],
      [1, 'a2', at(6), null, true],
      [2, 'b', at(1), null, true],
      [3, 'c', at(2), null, true],
      [4, 'd', at(4), null, true],
    ];
    expect(await history(t)).toEqual(expected);
    expect(
      await runSnapshot(
        node,
        batch([
          [1, 'a2', 6],
          [2, 'b', 1],
          [3, 'c-old', 1],
          [4, 'd', 4],
        ]),
        day(8),
      ),
    ).toBe(0);
    expect(await history(t)).toEqual(expected);
    expect(await violations(t)).toBe(0);
  });

  it('check strategy records changes to and from NULL; hard deletes invalidate and a returning key reopens', async () => {
    const node = snapshotNode(
      { unique_key: ['id'], strategy: 'check', check_cols: ['name'], hard_deletes: 'invalidate' },
      'chk_snap',
      schema,
    );
    const t = `${schema}.chk_snap`;
    await runSnapshot(
      node,
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
      ]),
      day(2),
    );
    await runSnapshot(
      node,
      batch([
        [1, null, 1],
        [2, 'b', 1],
      ]),
      day(3),
    ); // to NULL
    await runSnapshot(node, batch([[1, 'a', 1]]), day(4)); // back from NULL; 2 deleted
    await runSnapshot(
      node,
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
      ]),
      day(5),
    ); // 2 returns
    expect(await history(t)).toEqual([
      [1, 'a', at(2), at(3), false],
      [1, null, at(3), at(4), false],
      [1, 'a', at(4), null, true],
      [2, 'b', at(2), at(4), false],
      [2, 'b', at(5), null, true],
    ]);
    expect(await violations(t)).toBe(0);
  });

  it('duplicate keys in a batch fail with E_DUPLICATE_KEYS naming the key, and change nothing', async () => {
    const node = snapshotNode(
      { unique_key: 'id', strategy: 'check', check_cols: 'all' },
      'dup_snap',
      schema,
    );
    const t = `${schema}.dup_snap`;
    await runSnapshot(node, batch([[1, 'a', 1]]), day(2));
    const before = await history(t);
    const err = await runSnapshot(
      node,
      batch([
        [1, 'x', 1],
        [1, 'y', 1],
      ]),
      day(3),
    ).catch((e: unknown) => e);
    expect((err as MdlError).code).toBe('E_DUPLICATE_KEYS');
    expect((err as MdlError).message).toContain('id=1');
    expect(await history(t)).toEqual(before);
  });
});
