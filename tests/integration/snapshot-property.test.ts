/**
 * Property-based test: random sequences of batches (inserts, updates, deletes, repeats,
 * out-of-order change times) applied through the snapshot plan on a real DuckDB. After every batch:
 * one current row per live key, no overlapping or invalid periods, periods contiguous (except the
 * gap a deletion leaves under `invalidate`), and the current rows equal a reference model of the
 * documented rules.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Connection } from '../../runner/connections/connection.js';
import {
  invariantViolations,
  memoryDb,
  runSnapshot,
  snapshotNode,
  ts,
} from './snapshot-harness.js';

type Row = { readonly id: number; readonly name: string | null; readonly day: number };
type Batch = readonly Row[];
type Mode = 'ignore' | 'invalidate' | 'new_record';
type Kind = 'timestamp' | 'check';

const base = "TIMESTAMP '2024-01-01 00:00:00'";
const dayExpr = (d: number): string => `(${base} + INTERVAL ${d} DAY)`;
const dayText = (d: number): string =>
  new Date(Date.UTC(2024, 0, 1 + d)).toISOString().slice(0, 19).replace('T', ' ');

function batchSql(rows: Batch): string {
  if (rows.length === 0) {
    return `SELECT * FROM (VALUES (0, CAST(NULL AS VARCHAR), ${dayExpr(0)})) AS v(id, name, upd) WHERE FALSE`;
  }
  const values = rows.map(
    (r) =>
      `(${r.id}, ${r.name === null ? 'CAST(NULL AS VARCHAR)' : `'${r.name}'`}, ${dayExpr(r.day)})`,
  );
  return `SELECT * FROM (VALUES ${values.join(', ')}) AS v(id, name, upd)`;
}

/** The reference model of the documented rules. */
function simulate(kind: Kind, mode: Mode, batches: readonly Batch[]): Map<number, Row> {
  const live = new Map<number, Row>();
  for (const b of batches) {
    const present = new Set<number>();
    for (const r of b) {
      present.add(r.id);
      const cur = live.get(r.id);
      if (cur === undefined) live.set(r.id, r);
      else if (kind === 'timestamp' ? r.day > cur.day : r.name !== cur.name || r.day !== cur.day)
        live.set(r.id, r);
    }
    if (mode !== 'ignore') for (const id of [...live.keys()]) if (!present.has(id)) live.delete(id);
  }
  return live;
}

/** Batch i happens at day 10·(i+1); its rows changed at any day up to then (out of order). */
function batchArb(i: number): fc.Arbitrary<Batch> {
  return fc
    .uniqueArray(
      fc.record({
        id: fc.integer({ min: 1, max: 6 }),
        name: fc.constantFrom('a', 'b', '', null),
        day: fc.integer({ min: 1, max: 10 * (i + 1) }),
      }),
      { selector: (r) => r.id, maxLength: 6 },
    )
    .map((rows) => rows as Batch);
}

const scenario = fc
  .integer({ min: 1, max: 7 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => batchArb(i))))
  .chain((batches) =>
    // Repeats: sometimes run a batch twice in a row (a retry), which must change nothing.
    fc
      .array(fc.boolean(), { minLength: batches.length, maxLength: batches.length })
      .map((rep) => batches.flatMap((b, i) => (rep[i] === true ? [b, b] : [b]))),
  );

let conn: Connection;
beforeAll(async () => {
  conn = await memoryDb();
});
afterAll(async () => {
  await conn.close();
});

describe.each([
  ['timestamp', 'ignore'],
  ['timestamp', 'invalidate'],
  ['timestamp', 'new_record'],
  ['check', 'ignore'],
  ['check', 'invalidate'],
  ['check', 'new_record'],
] as const)('%s strategy, hard_deletes %s', (kind, mode) => {
  test('invariants hold after every batch', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (batches) => {
        run += 1;
        const node = snapshotNode(
          kind === 'timestamp'
            ? { unique_key: 'id', strategy: 'timestamp', updated_at: 'upd', hard_deletes: mode }
            : { unique_key: 'id', strategy: 'check', check_cols: 'all', hard_deletes: mode },
          `p_${kind}_${mode}_${run}`,
        );
        const table = `snapshots.${node.relation.identifier}`;
        for (let i = 0; i < batches.length; i++) {
          const b = batches[i] ?? [];
          // Batch i at day 10·(i+1) (repeated batches keep their rows, later clock).
          await runSnapshot(conn, node, batchSql(b), dayExpr(10 * (i + 1)));
          const violations = await invariantViolations(
            conn,
            table,
            'id',
            undefined,
            mode === 'invalidate',
          );
          expect(violations, `after batch ${i + 1}`).toEqual([]);
          const expected = simulate(kind, mode, batches.slice(0, i + 1));
          const current = await conn.query(
            `SELECT id, name, upd FROM ${table} WHERE is_current${mode === 'new_record' ? ' AND NOT coalesce(is_deleted, FALSE)' : ''} ORDER BY id`,
          );
          expect(
            current.map((r) => [r.id, r.name, ts(r.upd)]),
            `current rows after batch ${i + 1}`,
          ).toEqual(
            [...expected.values()]
              .sort((a, b) => a.id - b.id)
              .map((r) => [r.id, r.name, dayText(r.day)]),
          );
          if (mode === 'new_record') {
            const dead = await conn.query(
              `SELECT count(*) AS n FROM ${table} WHERE is_current AND is_deleted AND id IN (${[...expected.keys(), -1].join(', ')})`,
            );
            expect(Number(dead[0]?.n)).toBe(0);
          }
        }
        await conn.execute(`DROP TABLE IF EXISTS ${table}`);
      }),
      { numRuns: 25 },
    );
  });
});
