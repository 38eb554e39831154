/**
 * Snapshot conformance suite, modelled on the scenarios of dbt's adapter snapshot tests (written
 * fresh): check and timestamp strategies, changed/unchanged/new rows, each hard-delete mode,
 * renamed history columns, a key that disappears and returns — expected tables row by row.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Connection } from '../../runner/connections/connection.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import {
  invariantViolations,
  memoryDb,
  runSnapshot,
  snapshotNode,
  ts,
} from './snapshot-harness.js';

let conn: Connection;
beforeEach(async () => {
  conn = await memoryDb();
});
afterEach(async () => {
  await conn.close();
});

const day = (d: number): string => `TIMESTAMP '2024-01-${String(d).padStart(2, '0')} 00:00:00'`;
const at = (d: number): string => `2024-01-${String(d).padStart(2, '0')} 00:00:00`;

/** A batch as a VALUES select: rows of [id, name, updated day]. */
function batch(rows: readonly (readonly [number, string | null, number])[]): string {
  const values = rows.map(
    ([id, name, d]) =>
      `(${id}, ${name === null ? 'CAST(NULL AS VARCHAR)' : `'${name}'`}, ${day(d)})`,
  );
  return `SELECT * FROM (VALUES ${values.join(', ')}) AS v(id, name, upd)`;
}

/** History rows as [id, name, valid_from, valid_to, is_current], ordered. */
async function history(
  table = 'snapshots.snap',
  m = { valid_from: 'valid_from', valid_to: 'valid_to', is_current: 'is_current' },
): Promise<unknown[][]> {
  const rows = await conn.query(
    `SELECT id, name, ${m.valid_from} AS vf, ${m.valid_to} AS vt, ${m.is_current} AS cur FROM ${table} ORDER BY id, vf`,
  );
  return rows.map((r) => [r.id, r.name, ts(r.vf), ts(r.vt), r.cur]);
}

const timestampNode = (extra: Record<string, unknown> = {}) =>
  snapshotNode({ unique_key: 'id', strategy: 'timestamp', updated_at: 'upd', ...extra });
const checkNode = (extra: Record<string, unknown> = {}) =>
  snapshotNode({ unique_key: ['id'], strategy: 'check', check_cols: 'all', ...extra });

describe('timestamp strategy', () => {
  test('new, changed, unchanged and out-of-order rows; validity from the source time', async () => {
    const node = timestampNode();
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
        [3, 'c', 2],
      ]),
      day(5),
    );
    expect(await history()).toEqual([
      [1, 'a', at(1), null, true],
      [2, 'b', at(1), null, true],
      [3, 'c', at(2), null, true],
    ]);
    // 1 changed at day 6, 2 unchanged, 3 comes with an OLDER time (late batch: ignored), 4 new.
    const changed = await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a2', 6],
        [2, 'b', 1],
        [3, 'c-old', 1],
        [4, 'd', 4],
      ]),
      day(7),
    );
    expect(changed).toBe(3); // close 1, open 1, insert 4
    expect(await history()).toEqual([
      [1, 'a', at(1), at(6), false],
      [1, 'a2', at(6), null, true],
      [2, 'b', at(1), null, true],
      [3, 'c', at(2), null, true],
      [4, 'd', at(4), null, true],
    ]);
    // Equal timestamp with different data does not reopen history either (documented rule).
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a3', 6],
        [2, 'b', 1],
        [3, 'c', 2],
        [4, 'd', 4],
      ]),
      day(8),
    );
    expect((await history()).length).toBe(5);
  });

  test('rerunning the same batch changes nothing', async () => {
    const node = timestampNode({ hard_deletes: 'invalidate' });
    const b = batch([
      [1, 'a', 1],
      [2, 'b', 2],
    ]);
    await runSnapshot(conn, node, b, day(3));
    await runSnapshot(conn, node, batch([[1, 'a1', 4]]), day(5));
    const before = await conn.query('SELECT * FROM snapshots.snap ORDER BY ALL');
    expect(await runSnapshot(conn, node, batch([[1, 'a1', 4]]), day(6))).toBe(0);
    expect(await runSnapshot(conn, node, batch([[1, 'a1', 4]]), day(7))).toBe(0);
    expect(await conn.query('SELECT * FROM snapshots.snap ORDER BY ALL')).toEqual(before);
  });

  test('history columns: scd_id is deterministic, updated_at and audit times', async () => {
    const node = timestampNode();
    await runSnapshot(conn, node, batch([[1, 'a', 1]]), day(2));
    await runSnapshot(conn, node, batch([[1, 'b', 3]]), day(4));
    const rows = await conn.query(
      `SELECT scd_id, md5(CAST(list_value(CAST(id AS VARCHAR), CAST(valid_from AS VARCHAR)) AS VARCHAR)) AS expect_id,
              snapshot_updated_at AS u, inserted_at AS i, modified_at AS m FROM snapshots.snap ORDER BY valid_from`,
    );
    expect(rows.map((r) => r.scd_id === r.expect_id)).toEqual([true, true]);
    expect(rows.map((r) => [ts(r.u), ts(r.i), ts(r.m)])).toEqual([
      [at(1), at(2), at(4)],
      [at(3), at(4), at(4)],
    ]);
  });
});

describe('check strategy', () => {
  test('check_cols list: only listed columns make versions', async () => {
    const node = snapshotNode({ unique_key: 'id', strategy: 'check', check_cols: ['name'] });
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
      ]),
      day(2),
    );
    // upd changes for both; only 2's name changes.
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a', 9],
        [2, 'B', 9],
      ]),
      day(3),
    );
    expect(await history()).toEqual([
      [1, 'a', at(2), null, true],
      [2, 'b', at(2), at(3), false],
      [2, 'B', at(3), null, true],
    ]);
  });

  test('check_cols all: validity uses the snapshot time', async () => {
    const node = checkNode();
    await runSnapshot(conn, node, batch([[1, 'a', 1]]), day(2));
    await runSnapshot(conn, node, batch([[1, 'a', 5]]), day(6));
    await runSnapshot(conn, node, batch([[1, 'a', 5]]), day(7));
    expect(await history()).toEqual([
      [1, 'a', at(2), at(6), false],
      [1, 'a', at(6), null, true],
    ]);
  });
});

describe('hard deletes', () => {
  const b1 = batch([
    [1, 'a', 1],
    [2, 'b', 1],
  ]);
  const without2 = batch([[1, 'a', 1]]);
  const back2 = batch([
    [1, 'a', 1],
    [2, 'b', 1],
  ]);

  test('ignore: a missing key keeps its current version', async () => {
    const node = timestampNode({ hard_deletes: 'ignore' });
    await runSnapshot(conn, node, b1, day(2));
    await runSnapshot(conn, node, without2, day(3));
    expect(await history()).toEqual([
      [1, 'a', at(1), null, true],
      [2, 'b', at(1), null, true],
    ]);
  });

  test('invalidate: closed at the snapshot time; a returning key opens a new version', async () => {
    const node = timestampNode({ hard_deletes: 'invalidate' });
    await runSnapshot(conn, node, b1, day(2));
    await runSnapshot(conn, node, without2, day(3));
    expect(await history()).toEqual([
      [1, 'a', at(1), null, true],
      [2, 'b', at(1), at(3), false],
    ]);
    await runSnapshot(conn, node, without2, day(4)); // still gone: nothing happens
    // Comes back with its old change time: the new version starts when we saw it again.
    await runSnapshot(conn, node, back2, day(5));
    expect(await history()).toEqual([
      [1, 'a', at(1), null, true],
      [2, 'b', at(1), at(3), false],
      [2, 'b', at(5), null, true],
    ]);
    await runSnapshot(conn, node, without2, day(6));
    // Back again, now with a newer change time than the deletion: validity starts at the source time.
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a', 1],
        [2, 'b2', 7],
      ]),
      day(8),
    );
    expect((await history()).slice(2)).toEqual([
      [2, 'b', at(5), at(6), false],
      [2, 'b2', at(7), null, true],
    ]);
    expect(await invariantViolations(conn, 'snapshots.snap', 'id')).toEqual([]);
  });

  test('new_record: a deleted marker version, closed when the key returns', async () => {
    const node = timestampNode({ hard_deletes: 'new_record' });
    await runSnapshot(conn, node, b1, day(2));
    await runSnapshot(conn, node, without2, day(3));
    await runSnapshot(conn, node, without2, day(4));
    await runSnapshot(conn, node, back2, day(5));
    const rows = await conn.query(
      'SELECT id, name, valid_from, valid_to, is_current, is_deleted FROM snapshots.snap ORDER BY id, valid_from',
    );
    expect(
      rows.map((r) => [r.id, r.name, ts(r.valid_from), ts(r.valid_to), r.is_current, r.is_deleted]),
    ).toEqual([
      [1, 'a', at(1), null, true, false],
      [2, 'b', at(1), at(3), false, false],
      [2, 'b', at(3), at(5), false, true],
      [2, 'b', at(5), null, true, false],
    ]);
    expect(await invariantViolations(conn, 'snapshots.snap', 'id', undefined, false)).toEqual([]);
  });

  test('check strategy + invalidate', async () => {
    const node = checkNode({ hard_deletes: 'invalidate' });
    await runSnapshot(conn, node, b1, day(2));
    await runSnapshot(conn, node, without2, day(3));
    await runSnapshot(conn, node, back2, day(4));
    expect(await history()).toEqual([
      [1, 'a', at(2), null, true],
      [2, 'b', at(2), at(3), false],
      [2, 'b', at(4), null, true],
    ]);
  });
});

describe('configuration', () => {
  test('renamed history columns and a far-future valid_to for current rows', async () => {
    const node = timestampNode({
      hard_deletes: 'invalidate',
      valid_to_current: '9999-12-31',
      snapshot_meta_column_names: {
        dbt_valid_from: 'effective_from',
        valid_to: 'effective_to',
        is_current: 'current_flag',
        scd_id: 'version_id',
        updated_at: 'source_changed_at',
      },
    });
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
      ]),
      day(2),
    );
    await runSnapshot(conn, node, batch([[1, 'a2', 3]]), day(4));
    const m = {
      valid_from: 'effective_from',
      valid_to: 'effective_to',
      is_current: 'current_flag',
    };
    expect(await history('snapshots.snap', m)).toEqual([
      [1, 'a', at(1), at(3), false],
      [1, 'a2', at(3), '9999-12-31 00:00:00', true],
      [2, 'b', at(1), at(4), false],
    ]);
    const cols = await conn.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'snap' ORDER BY ordinal_position",
    );
    expect(cols.map((c) => c.column_name)).toEqual([
      'id',
      'name',
      'upd',
      'version_id',
      'effective_from',
      'effective_to',
      'current_flag',
      'source_changed_at',
      'inserted_at',
      'modified_at',
    ]);
    expect(await runSnapshot(conn, node, batch([[1, 'a2', 3]]), day(5))).toBe(0);
  });

  test('duplicate keys fail before anything is written, naming the keys', async () => {
    const node = timestampNode();
    await runSnapshot(conn, node, batch([[1, 'a', 1]]), day(2));
    const before = await conn.query('SELECT * FROM snapshots.snap ORDER BY ALL');
    const dup = batch([
      [1, 'x', 3],
      [1, 'y', 3],
      [2, 'b', 3],
      [5, 'e', 3],
      [5, 'f', 4],
      [5, 'g', 5],
    ]);
    const err = await runSnapshot(conn, node, dup, day(6)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MdlError);
    expect((err as MdlError).code).toBe('E_DUPLICATE_KEYS');
    expect((err as MdlError).message).toContain('(id=1), (id=5)');
    expect((err as MdlError).message).not.toMatch(/\bx\b|\by\b/);
    expect(await conn.query('SELECT * FROM snapshots.snap ORDER BY ALL')).toEqual(before);
    // On the first run too: no table is created.
    const fresh = timestampNode();
    const other = { ...fresh, relation: { schema: 'snapshots', identifier: 'other' } };
    await expect(runSnapshot(conn, other, dup, day(6))).rejects.toThrow(/duplicate/);
    const t = await conn.query(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'other'",
    );
    expect(Number(t[0]?.n)).toBe(0);
  });

  test('invalid config is E_CONFIG at the node', async () => {
    const sel = batch([[1, 'a', 1]]);
    for (const [cfg, msg] of [
      [{ strategy: 'timestamp', updated_at: 'upd' }, /no unique_key/],
      [{ unique_key: 'id', strategy: 'timestamp' }, /needs updated_at/],
      [{ unique_key: 'id', strategy: 'merge' }, /must be 'timestamp' or 'check'/],
      [{ unique_key: 'id', strategy: 'check', hard_deletes: 'purge' }, /hard_deletes/],
      [{ unique_key: 'nope', strategy: 'check' }, /'nope' is not in the SELECT/],
      [
        { unique_key: 'id', strategy: 'check', snapshot_meta_column_names: { valid_from: 'name' } },
        /also a history column/,
      ],
    ] as const) {
      const err = await runSnapshot(conn, snapshotNode(cfg), sel, day(2)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MdlError);
      expect((err as MdlError).code).toBe('E_CONFIG');
      expect((err as MdlError).file).toBe('snapshots/snap.sql');
      expect((err as MdlError).message).toMatch(msg);
    }
  });
});

describe('NULL transitions (each makes exactly one version; unchanged makes none)', () => {
  test('value → NULL, NULL → value, NULL unchanged, with check strategy', async () => {
    const node = checkNode();
    await runSnapshot(
      conn,
      node,
      batch([
        [1, 'a', 1],
        [2, null, 1],
        [3, null, 1],
        [4, '', 1],
      ]),
      day(2),
    );
    await runSnapshot(
      conn,
      node,
      batch([
        [1, null, 1],
        [2, 'b', 1],
        [3, null, 1],
        [4, null, 1],
      ]),
      day(3),
    );
    await runSnapshot(
      conn,
      node,
      batch([
        [1, null, 1],
        [2, 'b', 1],
        [3, null, 1],
        [4, null, 1],
      ]),
      day(4),
    );
    expect(await history()).toEqual([
      [1, 'a', at(2), at(3), false],
      [1, null, at(3), null, true],
      [2, null, at(2), at(3), false],
      [2, 'b', at(3), null, true],
      [3, null, at(2), null, true],
      [4, '', at(2), at(3), false], // '' and NULL are different values
      [4, null, at(3), null, true],
    ]);
  });

  test('NULL in one of several key columns is a key value like any other', async () => {
    const node = snapshotNode({
      unique_key: ['id', 'src'],
      strategy: 'check',
      hard_deletes: 'invalidate',
    });
    const sel = (rows: string): string => `SELECT * FROM (VALUES ${rows}) AS v(id, src, name)`;
    await runSnapshot(
      conn,
      node,
      sel(`(1, 'a', 'x'), (1, CAST(NULL AS VARCHAR), 'y'), (NULL, 'a', 'z')`),
      day(2),
    );
    await runSnapshot(conn, node, sel(`(1, 'a', 'x'), (1, NULL, 'y2'), (NULL, 'a', 'z')`), day(3));
    await runSnapshot(conn, node, sel(`(1, 'a', 'x'), (1, NULL, 'y2'), (NULL, 'a', 'z')`), day(4));
    const rows = await conn.query(
      'SELECT id, src, name, is_current FROM snapshots.snap ORDER BY id NULLS LAST, src NULLS LAST, valid_from',
    );
    expect(rows.map((r) => [r.id, r.src, r.name, r.is_current])).toEqual([
      [1, 'a', 'x', true],
      [1, null, 'y', false],
      [1, null, 'y2', true],
      [null, 'a', 'z', true],
    ]);
    const dup = await runSnapshot(
      conn,
      node,
      sel(`(1, CAST(NULL AS VARCHAR), 'p'), (1, NULL, 'q')`),
      day(5),
    ).catch((e: unknown) => e);
    expect((dup as MdlError).message).toContain('(id=1, src=NULL)');
  });
});

describe('schema evolution', () => {
  test('a new column is added (NULL in old versions); a dropped column stays (NULL in new versions)', async () => {
    const node = checkNode();
    await runSnapshot(conn, node, `SELECT 1 AS id, 'a' AS name, 'x' AS gone`, day(2));
    await runSnapshot(conn, node, `SELECT 1 AS id, 'a' AS name, 'x' AS gone, 5 AS added`, day(3));
    // Adding a column alone is not a change (it was NULL only because it did not exist).
    expect(Number((await conn.query('SELECT count(*) AS n FROM snapshots.snap'))[0]?.n)).toBe(1);
    await runSnapshot(conn, node, `SELECT 1 AS id, 'b' AS name, 6 AS added`, day(4));
    const rows = await conn.query(
      'SELECT name, gone, added, is_current FROM snapshots.snap ORDER BY valid_from',
    );
    expect(rows).toEqual([
      { name: 'a', gone: 'x', added: null, is_current: false },
      { name: 'b', gone: null, added: 6, is_current: true },
    ]);
  });

  test('a changed type is E_SCHEMA_CHANGE and writes nothing', async () => {
    const node = checkNode();
    await runSnapshot(conn, node, `SELECT 1 AS id, 'a' AS name`, day(2));
    const err = await runSnapshot(conn, node, `SELECT 1 AS id, 42 AS name`, day(3)).catch(
      (e: unknown) => e,
    );
    expect((err as MdlError).code).toBe('E_SCHEMA_CHANGE');
    expect((err as MdlError).message).toContain("'name' changed type from VARCHAR to INTEGER");
  });

  test('switching to new_record adds is_deleted to an existing table', async () => {
    await runSnapshot(
      conn,
      checkNode(),
      batch([
        [1, 'a', 1],
        [2, 'b', 1],
      ]),
      day(2),
    );
    await runSnapshot(
      conn,
      checkNode({ hard_deletes: 'new_record' }),
      batch([[1, 'a', 1]]),
      day(3),
    );
    const rows = await conn.query(
      'SELECT id, is_current, is_deleted FROM snapshots.snap ORDER BY id, valid_from',
    );
    expect(rows).toEqual([
      { id: 1, is_current: true, is_deleted: null },
      { id: 2, is_current: false, is_deleted: null },
      { id: 2, is_current: true, is_deleted: true },
    ]);
  });
});
