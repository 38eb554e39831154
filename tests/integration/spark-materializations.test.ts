import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ManifestNode, NodeConfig } from '../../runner/compiler/manifest.js';
import { runInvocation, type ExecCommand } from '../../runner/execute/invocation.js';
import type { NodeResult } from '../../runner/execute/run-result.js';
import type { SparkTarget } from '../../runner/project/types.js';
import {
  duckTarget,
  fakeProject,
  manifestFromNodes,
  modelNode,
  seedNode,
  testNode,
} from '../helpers/node-factory.js';
import {
  dropSchemas,
  requireSparkOrReport,
  sparkAvailable,
  sparkTarget,
  uniqueSchema,
  withSpark,
} from './spark-service.js';

// The DuckDB conformance scenarios (materialization-duckdb-run.test.ts), on the real local
// Spark Thrift Server with Delta Lake. Each test works in its own schemas.
requireSparkOrReport('Spark materializations');
// Delta statements take 0.2–3 s each on a loaded 2-core machine; a scenario is a dozen runs.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

let dir: string;
let s: string; // model schema
let raw: string; // source schema
let target: SparkTarget;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-sparkrun-'));
  s = uniqueSchema('mdl_it');
  raw = `${s}_raw`;
  target = sparkTarget(s);
});
afterEach(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await dropSchemas(s, raw, `${s}_audit`);
});

async function sql(...stmts: string[]): Promise<void> {
  await withSpark(async (c) => {
    for (const q of stmts) await c.execute(q);
  });
}
async function rows(q: string): Promise<readonly Record<string, unknown>[]> {
  return withSpark((c) => c.query(q));
}
/** Row count + an order-independent content hash of a relation. */
async function fingerprint(rel: string): Promise<{ n: number; hash: string }> {
  const r = await rows(
    `SELECT count(*) AS n, md5(coalesce(array_join(sort_array(collect_list(to_json(struct(*)))), '|'), '')) AS h FROM ${rel}`,
  );
  return { n: Number(r[0]!.n), hash: String(r[0]!.h) };
}
async function tempRelations(): Promise<string[]> {
  const r = await rows(`SHOW TABLES IN ${s}`);
  return r.map((x) => String(x.tableName)).filter((n) => n.includes('__mdl_'));
}
async function columnsOf(rel: string): Promise<string[]> {
  const r = await rows(`DESCRIBE TABLE ${rel}`);
  const out: string[] = [];
  for (const x of r) {
    const n = String(x.col_name);
    if (n === '' || n.startsWith('#')) break;
    out.push(n);
  }
  return out;
}

const m = (
  name: string,
  q: string,
  cfg: Partial<NodeConfig> = {},
  extra: Partial<Parameters<typeof modelNode>[3]> = {},
) => modelNode(name, q, { schema: s, ...cfg }, extra ?? {});

async function run(
  nodes: ManifestNode[],
  command: ExecCommand = 'build',
  extra: { fullRefresh?: boolean; threads?: number } = {},
): Promise<Map<string, NodeResult>> {
  const project = fakeProject(dir, duckTarget(dir));
  const out = await runInvocation({
    command,
    project: {
      ...project,
      targets: { defaultTarget: 'spark', targets: { spark: target }, file: 'configs/targets.yml' },
    },
    manifest: manifestFromNodes(nodes),
    target,
    criteria: { select: [], exclude: [] },
    threads: extra.threads ?? 2,
    failFast: false,
    fullRefresh: extra.fullRefresh ?? false,
    args: {},
  });
  return new Map(out.runResults.results.map((r) => [r.uniqueId, r]));
}

describe.runIf(sparkAvailable)('Spark: view, table, ephemeral', () => {
  it('builds each, inlines ephemeral CTEs, replaces tables, switches view/table and drops stale temps', async () => {
    await sql(
      `CREATE SCHEMA ${raw}`,
      `CREATE TABLE ${raw}.src USING DELTA AS SELECT id, id * 10 AS v FROM range(5)`,
      `CREATE SCHEMA ${s}`,
      `CREATE TABLE ${s}.t__mdl_tmp_19990101_abcdef USING DELTA AS SELECT 1 AS x`,
    );
    const eph = m('eph', `SELECT id, v FROM ${raw}.src WHERE id > 0`, {
      materialized: 'ephemeral',
    });
    const t = m(
      't',
      'SELECT id, v * 2 AS v2 FROM __mdl_ephemeral__eph',
      { materialized: 'table' },
      {
        dependsOn: { nodes: ['model.t.eph'], macros: [] },
        ctes: [{ id: 'model.t.eph', name: '__mdl_ephemeral__eph', sql: eph.compiledSql }],
      },
    );
    const v = m(
      'v',
      `SELECT count(*) AS n FROM ${s}.t`,
      { materialized: 'view' },
      { dependsOn: { nodes: ['model.t.t'], macros: [] } },
    );
    const res = await run([eph, t, v], 'run');
    expect(res.get('model.t.t')?.status).toBe('success');
    expect(res.get('model.t.t')?.rowsAffected).toBe(4);
    expect(res.get('model.t.v')?.status).toBe('success');
    expect(await rows(`SELECT n FROM ${s}.v`)).toEqual([{ n: 4n }]);
    expect((await rows(`SHOW TABLES IN ${s}`)).map((r) => r.tableName).sort()).toEqual(['t', 'v']);
    expect(await tempRelations()).toEqual([]);
    await sql(`INSERT INTO ${raw}.src VALUES (9, 90)`);
    await run([eph, t, v], 'run');
    expect(await rows(`SELECT n FROM ${s}.v`)).toEqual([{ n: 5n }]);
    const tAsView = m(
      't',
      t.compiledSql,
      { materialized: 'view' },
      { dependsOn: t.dependsOn, ctes: t.ctes },
    );
    await run([eph, tAsView], 'run');
    expect((await rows(`SHOW VIEWS IN ${s}`)).map((r) => r.viewName).sort()).toEqual(['t', 'v']);
    await run([eph, t], 'run');
    expect((await rows(`SHOW VIEWS IN ${s}`)).map((r) => r.viewName)).toEqual(['v']);
    expect(await rows(`SELECT count(*) AS n FROM ${s}.t`)).toEqual([{ n: 5n }]);
  });

  it('a model failing mid-run leaves the previous table unchanged, with no data value in the message', async () => {
    await sql(
      `CREATE SCHEMA ${raw}`,
      `CREATE TABLE ${raw}.src USING DELTA AS SELECT id, CAST(id AS STRING) AS s FROM range(1000)`,
    );
    const good = m('t', `SELECT id, CAST(s AS INT) AS n FROM ${raw}.src`, {
      materialized: 'table',
    });
    await run([good], 'run');
    const before = await fingerprint(`${s}.t`);
    await sql(`UPDATE ${raw}.src SET s = 'not a number' WHERE id = 999`);
    const res = await run([good], 'run');
    expect(res.get('model.t.t')?.status).toBe('error');
    expect(res.get('model.t.t')?.errorCode).toBe('E_SQL');
    expect(res.get('model.t.t')?.message).toContain('CAST_INVALID_INPUT');
    expect(res.get('model.t.t')?.message).not.toContain('not a number');
    expect(await fingerprint(`${s}.t`)).toEqual(before);
    expect(await tempRelations()).toEqual([]);
  });
});

describe.runIf(sparkAvailable)('Spark: incremental', () => {
  const inc = (strategy: 'merge' | 'delete+insert' | 'append', cfg: Partial<NodeConfig> = {}) =>
    m(
      'inc',
      `SELECT id, val, updated_at FROM ${raw}.src`,
      {
        materialized: 'incremental',
        incremental_strategy: strategy,
        ...(strategy === 'append' ? {} : { unique_key: ['id'] }),
        ...cfg,
      },
      {
        incrementalSql: `SELECT id, val, updated_at FROM ${raw}.src WHERE updated_at > (SELECT max(updated_at) FROM ${s}.inc)`,
      },
    );
  const seedSrc = () =>
    sql(
      `CREATE SCHEMA ${raw}`,
      `CREATE TABLE ${raw}.src USING DELTA AS SELECT * FROM VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 1) AS v(id, val, updated_at)`,
    );
  const changeSrc = () =>
    sql(
      `UPDATE ${raw}.src SET val = 'B', updated_at = 2 WHERE id = 2`,
      `INSERT INTO ${raw}.src VALUES (4, 'd', 2)`,
      `DELETE FROM ${raw}.src WHERE id = 3`,
    );

  it('merge, delete+insert and append apply changes; a rerun changes nothing; full refresh rebuilds', async () => {
    // The three strategies as three models in one invocation (the scheduler runs them in parallel).
    const strategies = ['merge', 'delete+insert', 'append'] as const;
    const node = (strategy: (typeof strategies)[number]) => {
      const name = `inc_${strategy.replace('+', '_')}`;
      return m(
        name,
        `SELECT id, val, updated_at FROM ${raw}.src`,
        {
          materialized: 'incremental',
          incremental_strategy: strategy,
          ...(strategy === 'append' ? {} : { unique_key: ['id'] }),
        },
        {
          incrementalSql: `SELECT id, val, updated_at FROM ${raw}.src WHERE updated_at > (SELECT max(updated_at) FROM ${s}.${name})`,
        },
      );
    };
    const nodes = strategies.map(node);
    await seedSrc();
    const first = await run(nodes, 'run');
    for (const n of nodes) expect(first.get(n.uniqueId)?.rowsAffected, n.name).toBe(3);
    await changeSrc();
    const second = await run(nodes, 'run');
    const expected: Record<string, string[]> = {
      inc_merge: ['1:a', '2:B', '3:c', '4:d'],
      inc_delete_insert: ['1:a', '2:B', '3:c', '4:d'],
      inc_append: ['1:a', '2:B', '2:b', '3:c', '4:d'],
    };
    const fps = new Map<string, { n: number; hash: string }>();
    for (const n of nodes) {
      expect(second.get(n.uniqueId)?.status, second.get(n.uniqueId)?.message).toBe('success');
      const got = (await rows(`SELECT id, val FROM ${s}.${n.name}`))
        .map((r) => `${String(r.id)}:${String(r.val)}`)
        .sort();
      expect(got, n.name).toEqual(expected[n.name]);
      fps.set(n.name, await fingerprint(`${s}.${n.name}`));
    }
    const third = await run(nodes, 'run');
    for (const n of nodes) {
      expect(third.get(n.uniqueId)?.status).toBe('success');
      expect(await fingerprint(`${s}.${n.name}`), n.name).toEqual(fps.get(n.name));
    }
    await run(nodes, 'run', { fullRefresh: true });
    for (const n of nodes) {
      expect(
        (await rows(`SELECT id FROM ${s}.${n.name} ORDER BY id`)).map((r) => r.id),
        n.name,
      ).toEqual([1, 2, 4]);
    }
    expect(await tempRelations()).toEqual([]);
  });

  it('composite keys match NULL-safely', async () => {
    await sql(
      `CREATE SCHEMA ${raw}`,
      `CREATE TABLE ${raw}.src USING DELTA AS SELECT * FROM VALUES (1, NULL, 'a', 1), (1, 'x', 'b', 1) AS v(k1, k2, val, updated_at)`,
    );
    const node = m(
      'inc',
      `SELECT * FROM ${raw}.src`,
      { materialized: 'incremental', unique_key: ['k1', 'k2'] },
      {
        incrementalSql: `SELECT * FROM ${raw}.src WHERE updated_at > (SELECT max(updated_at) FROM ${s}.inc)`,
      },
    );
    await run([node], 'run');
    await sql(`UPDATE ${raw}.src SET val = 'A', updated_at = 2 WHERE k2 IS NULL`);
    await run([node], 'run');
    expect(await rows(`SELECT k1, k2, val FROM ${s}.inc ORDER BY k2 NULLS FIRST`)).toEqual([
      { k1: 1, k2: null, val: 'A' },
      { k1: 1, k2: 'x', val: 'b' },
    ]);
  });

  it('duplicate keys in the new batch fail with the keys named and change nothing', async () => {
    await seedSrc();
    await run([inc('merge')], 'run');
    const fp = await fingerprint(`${s}.inc`);
    await sql(`INSERT INTO ${raw}.src VALUES (7, 'x', 5), (7, 'y', 5), (8, 'z', 5), (8, 'w', 5)`);
    const res = (await run([inc('merge')], 'run')).get('model.t.inc')!;
    expect(res.status).toBe('error');
    expect(res.errorCode).toBe('E_DUPLICATE_KEYS');
    expect(res.message).toContain('id=7');
    expect(res.message).toContain('id=8');
    expect(res.message).not.toMatch(/'x'|\by\b|\bw\b/);
    expect(await fingerprint(`${s}.inc`)).toEqual(fp);
    expect(await tempRelations()).toEqual([]);
  });

  it('on_schema_change: fail names the columns; append_new_columns and sync_all_columns evolve the Delta table', async () => {
    await seedSrc();
    await run([inc('merge')], 'run');
    await sql(
      `ALTER TABLE ${raw}.src ADD COLUMNS (extra INT)`,
      `UPDATE ${raw}.src SET extra = 5, updated_at = 3 WHERE id = 1`,
    );
    const wide = (mode: NonNullable<NodeConfig['on_schema_change']>) =>
      m(
        'inc',
        `SELECT id, extra, updated_at FROM ${raw}.src`,
        { materialized: 'incremental', unique_key: ['id'], on_schema_change: mode },
        {
          incrementalSql: `SELECT id, extra, updated_at FROM ${raw}.src WHERE updated_at > (SELECT max(updated_at) FROM ${s}.inc)`,
        },
      );
    const failed = (await run([wide('fail')], 'run')).get('model.t.inc')!;
    expect(failed.errorCode).toBe('E_SCHEMA_CHANGE');
    expect(failed.message).toContain('added extra');
    expect(failed.message).toContain('removed val');
    const ignored = (await run([wide('ignore')], 'run')).get('model.t.inc')!;
    expect(ignored.status, ignored.message).toBe('success');
    expect(await columnsOf(`${s}.inc`)).toEqual(['id', 'val', 'updated_at']);
    await sql(`UPDATE ${raw}.src SET updated_at = 4 WHERE id = 1`);
    const appended = (await run([wide('append_new_columns')], 'run')).get('model.t.inc')!;
    expect(appended.status, appended.message).toBe('success');
    expect(await columnsOf(`${s}.inc`)).toEqual(['id', 'val', 'updated_at', 'extra']);
    expect(await rows(`SELECT val, extra FROM ${s}.inc WHERE id = 1`)).toEqual([
      { val: 'a', extra: 5 },
    ]);
    await sql(`UPDATE ${raw}.src SET updated_at = 5 WHERE id = 1`);
    const synced = (await run([wide('sync_all_columns')], 'run')).get('model.t.inc')!;
    expect(synced.status, synced.message).toBe('success');
    expect(await columnsOf(`${s}.inc`)).toEqual(['id', 'updated_at', 'extra']);
  });
});

describe.runIf(sparkAvailable)('Spark: seeds and data tests', () => {
  it('loads quoted fields, embedded commas/newlines and UTF-8 with column_types; reload replaces rows', async () => {
    fs.mkdirSync(path.join(dir, 'seeds'), { recursive: true });
    const file = path.join(dir, 'seeds', 'cpt.csv');
    fs.writeFileSync(
      file,
      'Code,Description,Amount\r\n00100,"Anesthesia, salivary ""gland""",1.50\r\n00102,"Cleft lip\nrepair — Ünïcode",2\r\n',
    );
    const seed = {
      ...seedNode('cpt', 'seeds/cpt.csv', { column_types: { Code: 'VARCHAR' } }),
      relation: { schema: s, identifier: 'cpt' },
    };
    const res = await run([seed], 'seed');
    expect(res.get('seed.t.cpt')?.status, res.get('seed.t.cpt')?.message).toBe('success');
    expect(res.get('seed.t.cpt')?.rowsAffected).toBe(2);
    expect(await rows(`SELECT Code, Description FROM ${s}.cpt ORDER BY Code`)).toEqual([
      { Code: '00100', Description: 'Anesthesia, salivary "gland"' },
      { Code: '00102', Description: 'Cleft lip\nrepair — Ünïcode' },
    ]);
    fs.writeFileSync(file, 'Code,Description,Amount\n00103,x,1\n');
    await run([seed], 'seed');
    expect(await rows(`SELECT Code FROM ${s}.cpt`)).toEqual([{ Code: '00103' }]);
  });

  it('pass, fail, warn and store_failures', async () => {
    await sql(
      `CREATE SCHEMA ${raw}`,
      `CREATE TABLE ${raw}.src USING DELTA AS SELECT id, CASE WHEN id < 3 THEN NULL ELSE id END AS v FROM range(10)`,
    );
    const model = m('m', `SELECT * FROM ${raw}.src`, { materialized: 'table' });
    const dep = { dependsOn: { nodes: ['model.t.m'], macros: [] } };
    const failing = `SELECT * FROM ${s}.m WHERE v IS NULL`;
    const mk = (name: string, q: string, cfg: Partial<NodeConfig> = {}) => ({
      ...testNode(name, q, cfg, 'model.t.m'),
      ...dep,
    });
    const nodes = [
      model,
      mk('passes', `SELECT * FROM ${s}.m WHERE id IS NULL`),
      mk('fails', failing),
      mk('warns', failing, { severity: 'warn' }),
      mk('stored', failing, { store_failures: true }),
    ];
    const project = fakeProject(dir, duckTarget(dir));
    const out = await runInvocation({
      command: 'build',
      project: {
        ...project,
        targets: {
          defaultTarget: 'spark',
          targets: { spark: target },
          file: 'configs/targets.yml',
        },
      },
      manifest: manifestFromNodes(nodes),
      target,
      criteria: { select: [], exclude: [] },
      threads: 2,
      failFast: false,
      fullRefresh: false,
      args: {},
    });
    const st = (n: string) => out.runResults.results.find((r) => r.uniqueId === `test.t.${n}`);
    expect(st('passes')?.status).toBe('pass');
    expect(st('fails')?.status).toBe('fail');
    expect(st('fails')?.failures).toBe(3);
    expect(st('warns')?.status).toBe('warn');
    expect(st('stored')?.status).toBe('fail');
    expect(st('stored')?.message).toContain(`${s}_audit`);
    expect(await rows(`SELECT id FROM ${s}_audit.stored ORDER BY id`)).toEqual([
      { id: 0n },
      { id: 1n },
      { id: 2n },
    ]);
  });
});
