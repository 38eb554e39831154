import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecHarness } from '../helpers/exec-harness.js';
import { modelNode } from '../helpers/node-factory.js';

let h: ExecHarness;
beforeEach(() => {
  h = new ExecHarness();
});
afterEach(() => h.dispose());

describe('view, table, ephemeral', () => {
  it('builds each, inlines ephemeral CTEs, swaps tables and drops stale temps', async () => {
    await h.sql(
      'CREATE SCHEMA raw',
      'CREATE TABLE raw.src AS SELECT range AS id, range * 10 AS v FROM range(5)',
      'CREATE TABLE main.t__mdl_tmp_19990101_abcdef AS SELECT 1 AS x',
    );
    const eph = modelNode('eph', 'SELECT id, v FROM raw.src WHERE id > 0', {
      materialized: 'ephemeral',
    });
    const t = modelNode(
      't',
      'SELECT id, v * 2 AS v2 FROM __mdl_ephemeral__eph',
      { materialized: 'table' },
      {
        dependsOn: { nodes: ['model.t.eph'], macros: [] },
        ctes: [{ id: 'model.t.eph', name: '__mdl_ephemeral__eph', sql: eph.compiledSql }],
      },
    );
    const v = modelNode(
      'v',
      'SELECT count(*) AS n FROM main.t',
      { materialized: 'view' },
      { dependsOn: { nodes: ['model.t.t'], macros: [] } },
    );
    const res = await h.run([eph, t, v], 'run');
    expect(res.get('model.t.t')?.status).toBe('success');
    expect(res.get('model.t.t')?.rowsAffected).toBe(4);
    expect(res.get('model.t.v')?.status).toBe('success');
    expect(await h.rows('SELECT n FROM main.v')).toEqual([{ n: 4n }]);
    expect(
      await h.rows("SELECT table_type FROM information_schema.tables WHERE table_name = 'eph'"),
    ).toEqual([]);
    expect(await h.tempRelations()).toEqual([]);
    // Rebuild after the source changed: the swap replaces the table and the view sees it.
    await h.sql('INSERT INTO raw.src VALUES (9, 90)');
    await h.run([eph, t, v], 'run');
    expect(await h.rows('SELECT n FROM main.v')).toEqual([{ n: 5n }]);
    // A view can replace a table and vice versa.
    const tAsView = modelNode(
      't',
      t.compiledSql,
      { materialized: 'view' },
      { dependsOn: t.dependsOn, ctes: t.ctes },
    );
    await h.run([eph, tAsView], 'run');
    expect(
      await h.rows("SELECT table_type FROM information_schema.tables WHERE table_name = 't'"),
    ).toEqual([{ table_type: 'VIEW' }]);
    await h.run([eph, t], 'run');
    expect(
      await h.rows("SELECT table_type FROM information_schema.tables WHERE table_name = 't'"),
    ).toEqual([{ table_type: 'BASE TABLE' }]);
  });

  it('a model failing mid-run leaves the previous table unchanged and no temp relation', async () => {
    await h.sql(
      'CREATE SCHEMA raw',
      'CREATE TABLE raw.src AS SELECT range AS id, CAST(range AS VARCHAR) AS s FROM range(1000)',
    );
    const good = modelNode('t', 'SELECT id, CAST(s AS INTEGER) AS n FROM raw.src', {
      materialized: 'table',
    });
    await h.run([good], 'run');
    const before = await h.fingerprint('main.t');
    await h.sql("UPDATE raw.src SET s = 'not a number' WHERE id = 999");
    const res = await h.run([good], 'run');
    expect(res.get('model.t.t')?.status).toBe('error');
    expect(res.get('model.t.t')?.errorCode).toBe('E_SQL');
    expect(res.get('model.t.t')?.message).not.toContain('not a number');
    expect(await h.fingerprint('main.t')).toEqual(before);
    expect(await h.tempRelations()).toEqual([]);
  });
});

describe('incremental', () => {
  const inc = (strategy: 'merge' | 'delete+insert' | 'append', cfg: Record<string, unknown> = {}) =>
    modelNode(
      'inc',
      'SELECT id, val, updated_at FROM raw.src',
      {
        materialized: 'incremental',
        incremental_strategy: strategy,
        ...(strategy === 'append' ? {} : { unique_key: ['id'] }),
        ...cfg,
      },
      {
        incrementalSql:
          'SELECT id, val, updated_at FROM raw.src WHERE updated_at > (SELECT max(updated_at) FROM main.inc)',
      },
    );
  const seedSrc = () =>
    h.sql(
      'CREATE SCHEMA raw',
      "CREATE TABLE raw.src AS SELECT * FROM (VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 1)) AS v(id, val, updated_at)",
    );
  const changeSrc = () =>
    h.sql(
      "UPDATE raw.src SET val = 'B', updated_at = 2 WHERE id = 2",
      "INSERT INTO raw.src VALUES (4, 'd', 2)",
      'DELETE FROM raw.src WHERE id = 3',
    );

  for (const [strategy, expected] of [
    [
      'merge',
      [
        [1, 'a'],
        [2, 'B'],
        [3, 'c'],
        [4, 'd'],
      ],
    ],
    [
      'delete+insert',
      [
        [1, 'a'],
        [2, 'B'],
        [3, 'c'],
        [4, 'd'],
      ],
    ],
    [
      'append',
      [
        [1, 'a'],
        [2, 'b'],
        [2, 'B'],
        [3, 'c'],
        [4, 'd'],
      ],
    ],
  ] as const) {
    it(`${strategy}: applies changes and inserts; a rerun over the same input changes nothing`, async () => {
      await seedSrc();
      expect((await h.run([inc(strategy)], 'run')).get('model.t.inc')?.rowsAffected).toBe(3);
      await changeSrc();
      const second = await h.run([inc(strategy)], 'run');
      expect(second.get('model.t.inc')?.status).toBe('success');
      expect(second.get('model.t.inc')?.rowsAffected).toBe(2);
      const key = (r: readonly unknown[]) => `${String(r[0])}:${String(r[1])}`;
      const got = (await h.rows('SELECT id, val FROM main.inc'))
        .map((r) => key([r.id, r.val]))
        .sort();
      expect(got).toEqual(expected.map((r) => key(r)).sort());
      const fp = await h.fingerprint('main.inc');
      const third = await h.run([inc(strategy)], 'run');
      expect(third.get('model.t.inc')?.rowsAffected).toBe(0);
      expect(await h.fingerprint('main.inc')).toEqual(fp);
      // Full refresh rebuilds from the full SELECT: the deleted row disappears.
      await h.run([inc(strategy)], 'run', { fullRefresh: true });
      expect((await h.rows('SELECT id FROM main.inc ORDER BY id')).map((r) => r.id)).toEqual([
        1, 2, 4,
      ]);
      expect(await h.tempRelations()).toEqual([]);
    });
  }

  it('composite keys match NULL-safely', async () => {
    await h.sql(
      'CREATE SCHEMA raw',
      "CREATE TABLE raw.src AS SELECT * FROM (VALUES (1, NULL, 'a', 1), (1, 'x', 'b', 1)) AS v(k1, k2, val, updated_at)",
    );
    const m = modelNode(
      'inc',
      'SELECT * FROM raw.src',
      { materialized: 'incremental', unique_key: ['k1', 'k2'] },
      {
        incrementalSql:
          'SELECT * FROM raw.src WHERE updated_at > (SELECT max(updated_at) FROM main.inc)',
      },
    );
    await h.run([m], 'run');
    await h.sql("UPDATE raw.src SET val = 'A', updated_at = 2 WHERE k2 IS NULL");
    await h.run([m], 'run');
    expect(await h.rows('SELECT k1, k2, val FROM main.inc ORDER BY k2 NULLS FIRST')).toEqual([
      { k1: 1, k2: null, val: 'A' },
      { k1: 1, k2: 'x', val: 'b' },
    ]);
  });

  it('duplicate keys in the new batch fail with the keys named and change nothing', async () => {
    await seedSrc();
    await h.run([inc('merge')], 'run');
    const fp = await h.fingerprint('main.inc');
    await h.sql("INSERT INTO raw.src VALUES (7, 'x', 5), (7, 'y', 5), (8, 'z', 5), (8, 'w', 5)");
    const res = (await h.run([inc('merge')], 'run')).get('model.t.inc')!;
    expect(res.status).toBe('error');
    expect(res.errorCode).toBe('E_DUPLICATE_KEYS');
    expect(res.message).toContain('id=7');
    expect(res.message).toContain('id=8');
    expect(res.message).not.toMatch(/'x'|\by\b|\bw\b/);
    expect(await h.fingerprint('main.inc')).toEqual(fp);
    expect(await h.tempRelations()).toEqual([]);
  });

  it('duplicate keys tagged meta.phi are redacted in the message', async () => {
    await seedSrc();
    await h.sql("INSERT INTO raw.src VALUES (7, 'x', 5), (7, 'y', 5)");
    const base = inc('merge');
    const phiKeyed = {
      ...base,
      columns: { id: { name: 'id', description: '', meta: { phi: true }, tags: [] } },
    };
    const res = (await h.run([phiKeyed], 'run')).get('model.t.inc')!;
    expect(res.errorCode).toBe('E_DUPLICATE_KEYS');
    expect(res.message).toContain('id=<phi>');
    expect(res.message).not.toContain('id=7');
  });

  it('on_schema_change: fail names the columns; append_new_columns and sync_all_columns evolve the table', async () => {
    await seedSrc();
    await h.run([inc('merge')], 'run');
    await h.sql(
      'ALTER TABLE raw.src ADD COLUMN extra INTEGER',
      'UPDATE raw.src SET extra = 5, updated_at = 3 WHERE id = 1',
    );
    const wide = (mode: 'ignore' | 'fail' | 'append_new_columns' | 'sync_all_columns') =>
      modelNode(
        'inc',
        'SELECT id, extra, updated_at FROM raw.src',
        { materialized: 'incremental', unique_key: ['id'], on_schema_change: mode },
        {
          incrementalSql:
            'SELECT id, extra, updated_at FROM raw.src WHERE updated_at > (SELECT max(updated_at) FROM main.inc)',
        },
      );
    const failed = (await h.run([wide('fail')], 'run')).get('model.t.inc')!;
    expect(failed.errorCode).toBe('E_SCHEMA_CHANGE');
    expect(failed.message).toContain('added extra');
    expect(failed.message).toContain('removed val');
    const ignored = (await h.run([wide('ignore')], 'run')).get('model.t.inc')!;
    expect(ignored.status).toBe('success');
    expect(
      (
        await h.rows(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'inc' ORDER BY ordinal_position",
        )
      ).map((r) => r.column_name),
    ).toEqual(['id', 'val', 'updated_at']);
    await h.sql('UPDATE raw.src SET updated_at = 4 WHERE id = 1');
    await h.run([wide('append_new_columns')], 'run');
    expect(
      (
        await h.rows(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'inc' ORDER BY ordinal_position",
        )
      ).map((r) => r.column_name),
    ).toEqual(['id', 'val', 'updated_at', 'extra']);
    expect(await h.rows('SELECT val, extra FROM main.inc WHERE id = 1')).toEqual([
      { val: 'a', extra: 5 },
    ]);
    await h.sql('UPDATE raw.src SET updated_at = 5 WHERE id = 1');
    await h.run([wide('sync_all_columns')], 'run');
    expect(
      (
        await h.rows(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'inc' ORDER BY ordinal_position",
        )
      ).map((r) => r.column_name),
    ).toEqual(['id', 'updated_at', 'extra']);
  });
});

describe('hooks', () => {
  it('runs pre_hook before and post_hook after the build, with {{ this }} replaced', async () => {
    const m = modelNode('hooked', 'SELECT range AS id FROM range(5)', {
      materialized: 'table',
      pre_hook: ['CREATE TABLE IF NOT EXISTS main.hook_log (n BIGINT)'],
      post_hook: ['INSERT INTO main.hook_log SELECT count(*) FROM {{ this }}'],
    });
    expect((await h.run([m], 'run')).get('model.t.hooked')?.status).toBe('success');
    expect(await h.rows('SELECT n FROM main.hook_log')).toEqual([{ n: 5n }]);
    const bad = modelNode('bad_hook', 'SELECT 1 AS x', {
      materialized: 'table',
      post_hook: ["{{ log('x') }}"],
    });
    const r = (await h.run([bad], 'run')).get('model.t.bad_hook')!;
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('E_CONFIG');
    expect(
      await h.rows(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'bad_hook'",
      ),
    ).toEqual([{ n: 0n }]);
  });
});
