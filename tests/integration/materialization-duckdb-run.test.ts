import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ManifestNode } from '../../runner/compiler/manifest.js';
import { openDuckDb } from '../../runner/connections/duckdb-connection.js';
import type { Connection } from '../../runner/connections/connection.js';
import { runInvocation, type ExecCommand } from '../../runner/execute/invocation.js';
import type { NodeResult } from '../../runner/execute/run-result.js';
import type { DuckDbTarget } from '../../runner/project/types.js';
import { duckTarget, fakeProject, manifestFromNodes, modelNode, seedNode, testNode } from '../helpers/node-factory.js';

let dir: string;
let target: DuckDbTarget;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-matrun-'));
  target = duckTarget(dir);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function withDb<T>(fn: (c: Connection) => Promise<T>): Promise<T> {
  const c = await openDuckDb(target);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}
async function sql(...stmts: string[]): Promise<void> {
  await withDb(async (c) => {
    for (const s of stmts) await c.execute(s);
  });
}
async function rows(q: string): Promise<readonly Record<string, unknown>[]> {
  return withDb((c) => c.query(q));
}
/** Row count + an order-independent content hash of a relation. */
async function fingerprint(rel: string): Promise<{ n: number; hash: string }> {
  const r = await rows(`SELECT count(*) AS n, md5(coalesce(string_agg(CAST(t AS VARCHAR), '|' ORDER BY CAST(t AS VARCHAR)), '')) AS h FROM ${rel} AS t`);
  return { n: Number(r[0]!.n), hash: String(r[0]!.h) };
}
async function tempRelations(): Promise<string[]> {
  const r = await rows("SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%__mdl_%'");
  return r.map((x) => String(x.table_name));
}

async function run(nodes: ManifestNode[], command: ExecCommand = 'build', extra: { fullRefresh?: boolean; failFast?: boolean; threads?: number } = {}): Promise<Map<string, NodeResult>> {
  const out = await runInvocation({
    command,
    project: fakeProject(dir, target),
    manifest: manifestFromNodes(nodes),
    target,
    criteria: { select: [], exclude: [] },
    threads: extra.threads ?? 2,
    failFast: extra.failFast ?? false,
    fullRefresh: extra.fullRefresh ?? false,
    args: {},
  });
  return new Map(out.runResults.results.map((r) => [r.uniqueId, r]));
}

describe('view, table, ephemeral', () => {
  it('builds each, inlines ephemeral CTEs, swaps tables and drops stale temps', async () => {
    await sql('CREATE SCHEMA raw', 'CREATE TABLE raw.src AS SELECT range AS id, range * 10 AS v FROM range(5)', 'CREATE TABLE main.t__mdl_tmp_19990101_abcdef AS SELECT 1 AS x');
    const eph = modelNode('eph', 'SELECT id, v FROM raw.src WHERE id > 0', { materialized: 'ephemeral' });
    const t = modelNode('t', 'SELECT id, v * 2 AS v2 FROM __mdl_ephemeral__eph', { materialized: 'table' }, {
      dependsOn: { nodes: ['model.t.eph'], macros: [] },
      ctes: [{ id: 'model.t.eph', name: '__mdl_ephemeral__eph', sql: eph.compiledSql }],
    });
    const v = modelNode('v', 'SELECT count(*) AS n FROM main.t', { materialized: 'view' }, { dependsOn: { nodes: ['model.t.t'], macros: [] } });
    const res = await run([eph, t, v], 'run');
    expect(res.get('model.t.t')?.status).toBe('success');
    expect(res.get('model.t.t')?.rowsAffected).toBe(4);
    expect(res.get('model.t.v')?.status).toBe('success');
    expect(await rows('SELECT n FROM main.v')).toEqual([{ n: 4n }]);
    expect(await rows("SELECT table_type FROM information_schema.tables WHERE table_name = 'eph'")).toEqual([]);
    expect(await tempRelations()).toEqual([]);
    // Rebuild after the source changed: the swap replaces the table and the view sees it.
    await sql('INSERT INTO raw.src VALUES (9, 90)');
    await run([eph, t, v], 'run');
    expect(await rows('SELECT n FROM main.v')).toEqual([{ n: 5n }]);
    // A view can replace a table and vice versa.
    const tAsView = modelNode('t', t.compiledSql, { materialized: 'view' }, { dependsOn: t.dependsOn, ctes: t.ctes });
    await run([eph, tAsView], 'run');
    expect(await rows("SELECT table_type FROM information_schema.tables WHERE table_name = 't'")).toEqual([{ table_type: 'VIEW' }]);
    await run([eph, t], 'run');
    expect(await rows("SELECT table_type FROM information_schema.tables WHERE table_name = 't'")).toEqual([{ table_type: 'BASE TABLE' }]);
  });

  it('a model failing mid-run leaves the previous table unchanged and no temp relation', async () => {
    await sql('CREATE SCHEMA raw', "CREATE TABLE raw.src AS SELECT range AS id, CAST(range AS VARCHAR) AS s FROM range(1000)");
    const good = modelNode('t', 'SELECT id, CAST(s AS INTEGER) AS n FROM raw.src', { materialized: 'table' });
    await run([good], 'run');
    const before = await fingerprint('main.t');
    await sql("UPDATE raw.src SET s = 'not a number' WHERE id = 999");
    const res = await run([good], 'run');
    expect(res.get('model.t.t')?.status).toBe('error');
    expect(res.get('model.t.t')?.errorCode).toBe('E_SQL');
    expect(res.get('model.t.t')?.message).not.toContain('not a number');
    expect(await fingerprint('main.t')).toEqual(before);
    expect(await tempRelations()).toEqual([]);
  });
});

describe('incremental', () => {
  const inc = (strategy: 'merge' | 'delete+insert' | 'append', cfg: Record<string, unknown> = {}) =>
    modelNode('inc', 'SELECT id, val, updated_at FROM raw.src', { materialized: 'incremental', incremental_strategy: strategy, ...(strategy === 'append' ? {} : { unique_key: ['id'] }), ...cfg }, {
      incrementalSql: 'SELECT id, val, updated_at FROM raw.src WHERE updated_at > (SELECT max(updated_at) FROM main.inc)',
    });
  const seedSrc = () => sql('CREATE SCHEMA raw', "CREATE TABLE raw.src AS SELECT * FROM (VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 1)) AS v(id, val, updated_at)");
  const changeSrc = () => sql("UPDATE raw.src SET val = 'B', updated_at = 2 WHERE id = 2", "INSERT INTO raw.src VALUES (4, 'd', 2)", 'DELETE FROM raw.src WHERE id = 3');

  for (const [strategy, expected] of [
    ['merge', [[1, 'a'], [2, 'B'], [3, 'c'], [4, 'd']]],
    ['delete+insert', [[1, 'a'], [2, 'B'], [3, 'c'], [4, 'd']]],
    ['append', [[1, 'a'], [2, 'b'], [2, 'B'], [3, 'c'], [4, 'd']]],
  ] as const) {
    it(`${strategy}: applies changes and inserts; a rerun over the same input changes nothing`, async () => {
      await seedSrc();
      expect((await run([inc(strategy)], 'run')).get('model.t.inc')?.rowsAffected).toBe(3);
      await changeSrc();
      const second = await run([inc(strategy)], 'run');
      expect(second.get('model.t.inc')?.status).toBe('success');
      expect(second.get('model.t.inc')?.rowsAffected).toBe(2);
      const key = (r: readonly unknown[]) => `${String(r[0])}:${String(r[1])}`;
      const got = (await rows('SELECT id, val FROM main.inc')).map((r) => key([r.id, r.val])).sort();
      expect(got).toEqual(expected.map((r) => key(r)).sort());
      const fp = await fingerprint('main.inc');
      const third = await run([inc(strategy)], 'run');
      expect(third.get('model.t.inc')?.rowsAffected).toBe(0);
      expect(await fingerprint('main.inc')).toEqual(fp);
      // Full refresh rebuilds from the full SELECT: the deleted row disappears.
      await run([inc(strategy)], 'run', { fullRefresh: true });
      expect((await rows('SELECT id FROM main.inc ORDER BY id')).map((r) => r.id)).toEqual([1, 2, 4]);
      expect(await tempRelations()).toEqual([]);
    });
  }

  it('composite keys match NULL-safely', async () => {
    await sql('CREATE SCHEMA raw', "CREATE TABLE raw.src AS SELECT * FROM (VALUES (1, NULL, 'a', 1), (1, 'x', 'b', 1)) AS v(k1, k2, val, updated_at)");
    const m = modelNode('inc', 'SELECT * FROM raw.src', { materialized: 'incremental', unique_key: ['k1', 'k2'] }, { incrementalSql: 'SELECT * FROM raw.src WHERE updated_at > (SELECT max(updated_at) FROM main.inc)' });
    await run([m], 'run');
    await sql("UPDATE raw.src SET val = 'A', updated_at = 2 WHERE k2 IS NULL");
    await run([m], 'run');
    expect(await rows('SELECT k1, k2, val FROM main.inc ORDER BY k2 NULLS FIRST')).toEqual([
      { k1: 1, k2: null, val: 'A' },
      { k1: 1, k2: 'x', val: 'b' },
    ]);
  });

  it('duplicate keys in the new batch fail with the keys named and change nothing', async () => {
    await seedSrc();
    await run([inc('merge')], 'run');
    const fp = await fingerprint('main.inc');
    await sql("INSERT INTO raw.src VALUES (7, 'x', 5), (7, 'y', 5), (8, 'z', 5), (8, 'w', 5)");
    const res = (await run([inc('merge')], 'run')).get('model.t.inc')!;
    expect(res.status).toBe('error');
    expect(res.errorCode).toBe('E_DUPLICATE_KEYS');
    expect(res.message).toContain('id=7');
    expect(res.message).toContain('id=8');
    expect(res.message).not.toMatch(/'x'|\by\b|\bw\b/);
    expect(await fingerprint('main.inc')).toEqual(fp);
    expect(await tempRelations()).toEqual([]);
  });

  it('on_schema_change: fail names the columns; append_new_columns and sync_all_columns evolve the table', async () => {
    await seedSrc();
    await run([inc('merge')], 'run');
    await sql('ALTER TABLE raw.src ADD COLUMN extra INTEGER', "UPDATE raw.src SET extra = 5, updated_at = 3 WHERE id = 1");
    const wide = (mode: string) =>
      modelNode('inc', 'SELECT id, extra, updated_at FROM raw.src', { materialized: 'incremental', unique_key: ['id'], on_schema_change: mode }, {
        incrementalSql: 'SELECT id, extra, updated_at FROM raw.src WHERE updated_at > (SELECT max(updated_at) FROM main.inc)',
      });
    const failed = (await run([wide('fail')], 'run')).get('model.t.inc')!;
    expect(failed.errorCode).toBe('E_SCHEMA_CHANGE');
    expect(failed.message).toContain('added extra');
    expect(failed.message).toContain('removed val');
    const ignored = (await run([wide('ignore')], 'run')).get('model.t.inc')!;
    expect(ignored.status).toBe('success');
    expect((await rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'inc' ORDER BY ordinal_position")).map((r) => r.column_name)).toEqual(['id', 'val', 'updated_at']);
    await sql('UPDATE raw.src SET updated_at = 4 WHERE id = 1');
    await run([wide('append_new_columns')], 'run');
    expect((await rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'inc' ORDER BY ordinal_position")).map((r) => r.column_name)).toEqual(['id', 'val', 'updated_at', 'extra']);
    expect(await rows('SELECT val, extra FROM main.inc WHERE id = 1')).toEqual([{ val: 'a', extra: 5 }]);
    await sql('UPDATE raw.src SET updated_at = 5 WHERE id = 1');
    await run([wide('sync_all_columns')], 'run');
    expect((await rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'inc' ORDER BY ordinal_position")).map((r) => r.column_name)).toEqual(['id', 'updated_at', 'extra']);
  });
});

describe('seeds', () => {
  const write = (name: string, content: string | Buffer) => {
    fs.mkdirSync(path.join(dir, 'seeds'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'seeds', name), content);
    return `seeds/${name}`;
  };

  it('loads quoted fields, embedded commas/newlines, BOM and UTF-8 with column_types; reload replaces rows', async () => {
    const p = write('cpt.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Code,Description,Amount\r\n00100,"Anesthesia, salivary ""gland""",1.50\r\n00102,"Cleft lip\nrepair — Ünïcode",2\r\n')]));
    const s = seedNode('cpt', p, { column_types: { Code: 'VARCHAR' } });
    const res = await run([s], 'seed');
    expect(res.get('seed.t.cpt')?.status).toBe('success');
    expect(res.get('seed.t.cpt')?.rowsAffected).toBe(2);
    expect(await rows('SELECT Code, Description FROM main.cpt ORDER BY Code')).toEqual([
      { Code: '00100', Description: 'Anesthesia, salivary "gland"' },
      { Code: '00102', Description: 'Cleft lip\nrepair — Ünïcode' },
    ]);
    write('cpt.csv', 'Code,Description,Amount\n00103,x,1\n');
    await run([s], 'seed');
    expect(await rows('SELECT Code FROM main.cpt')).toEqual([{ Code: '00103' }]);
    write('cpt.csv', 'Code,Other\n1,2\n');
    expect((await run([s], 'seed')).get('seed.t.cpt')?.status).toBe('success');
    expect((await rows("SELECT column_name FROM information_schema.columns WHERE table_name = 'cpt' ORDER BY ordinal_position")).map((r) => r.column_name)).toEqual(['Code', 'Other']);
    expect((await run([s], 'seed', { fullRefresh: true })).get('seed.t.cpt')?.rowsAffected).toBe(1);
  });

  it('ragged rows, empty files, unclosed quotes and unknown column_types are E_SEED with file and line', async () => {
    const cases: [string, string, RegExp, Record<string, string>?][] = [
      ['ragged.csv', 'a,b\n1,2\n3,4,5\n', /line 3 has 3 fields, the header has 2/],
      ['short.csv', 'a,b\n1,"x\ny"\n3\n', /line 4 has 1 field, the header has 2/],
      ['empty.csv', '', /seed file is empty/],
      ['open.csv', 'a,b\n1,"never closed\n', /quoted field opened at line 2 is never closed/],
      ['types.csv', 'a,b\n1,2\n', /column_types names column 'zz'/, { zz: 'INTEGER' }],
    ];
    for (const [name, content, re, types] of cases) {
      const p = write(name, content);
      const s = seedNode(name.replace('.csv', ''), p, types === undefined ? {} : { column_types: types });
      const r = (await run([s], 'seed')).get(s.uniqueId)!;
      expect(r.status, name).toBe('error');
      expect(r.errorCode, name).toBe('E_SEED');
      expect(r.message, name).toMatch(re);
    }
  });
});

describe('data tests', () => {
  it('pass, fail, warn by severity and thresholds; store_failures keeps failing rows in the audit schema', async () => {
    await sql('CREATE SCHEMA raw', 'CREATE TABLE raw.src AS SELECT range AS id, CASE WHEN range < 3 THEN NULL ELSE range END AS v FROM range(10)');
    const m = modelNode('m', 'SELECT * FROM raw.src', { materialized: 'table' });
    const dep = { dependsOn: { nodes: ['model.t.m'], macros: [] } };
    const failing = 'SELECT * FROM main.m WHERE v IS NULL';
    const mk = (name: string, q: string, cfg: Record<string, unknown> = {}) => ({ ...testNode(name, q, cfg, 'model.t.m'), ...dep });
    const nodes = [
      m,
      mk('passes', 'SELECT * FROM main.m WHERE id IS NULL'),
      mk('fails', failing),
      mk('warns', failing, { severity: 'warn' }),
      mk('threshold_pass', failing, { error_if: '>5', warn_if: '>=10' }),
      mk('threshold_warn', failing, { error_if: '>5', warn_if: '>=2' }),
      mk('limited', failing, { limit: 2 }),
      mk('stored', failing, { store_failures: true }),
      mk('bad_threshold', failing, { error_if: 'lots' }),
    ];
    const res = await run(nodes, 'build');
    const st = (n: string) => res.get(`test.t.${n}`);
    expect(st('passes')?.status).toBe('pass');
    expect(st('fails')?.status).toBe('fail');
    expect(st('fails')?.failures).toBe(3);
    expect(st('warns')?.status).toBe('warn');
    expect(st('threshold_pass')?.status).toBe('pass');
    expect(st('threshold_warn')?.status).toBe('warn');
    expect(st('limited')?.failures).toBe(2);
    expect(st('stored')?.status).toBe('fail');
    expect(st('stored')?.message).toContain('main_audit');
    expect(st('bad_threshold')?.status).toBe('error');
    expect(st('bad_threshold')?.errorCode).toBe('E_CONFIG');
    expect(await rows('SELECT id FROM main_audit.stored ORDER BY id')).toEqual([{ id: 0n }, { id: 1n }, { id: 2n }]);
    // Replaced on the next run, not appended.
    await sql('UPDATE raw.src SET v = 1 WHERE id = 0');
    await run(nodes, 'build');
    expect(await rows('SELECT count(*) AS n FROM main_audit.stored')).toEqual([{ n: 2n }]);
  });

  it('build skips the dependants of a failing error-severity test, not of a warning one', async () => {
    await sql('CREATE SCHEMA raw', 'CREATE TABLE raw.src AS SELECT NULL::INTEGER AS id');
    const silver = modelNode('silver_m', 'SELECT * FROM raw.src', { materialized: 'table' });
    const gold = modelNode('gold_m', 'SELECT * FROM main.silver_m', { materialized: 'table' }, { dependsOn: { nodes: ['model.t.silver_m'], macros: [] } });
    const t = { ...testNode('not_null_silver_m_id', 'SELECT * FROM main.silver_m WHERE id IS NULL', {}, 'model.t.silver_m'), dependsOn: { nodes: ['model.t.silver_m'], macros: [] } };
    const res = await run([silver, gold, t], 'build');
    expect(res.get('test.t.not_null_silver_m_id')?.status).toBe('fail');
    expect(res.get('model.t.gold_m')?.status).toBe('skipped');
    expect(res.get('model.t.gold_m')?.skippedBecause).toBe('test.t.not_null_silver_m_id');
    const warnT = { ...t, config: { ...t.config, severity: 'warn' as const } };
    const res2 = await run([silver, gold, warnT], 'build');
    expect(res2.get('test.t.not_null_silver_m_id')?.status).toBe('warn');
    expect(res2.get('model.t.gold_m')?.status).toBe('success');
  });
});
