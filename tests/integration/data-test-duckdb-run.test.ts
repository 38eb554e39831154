import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecHarness } from '../helpers/exec-harness.js';
import { modelNode, testNode } from '../helpers/node-factory.js';

let h: ExecHarness;
beforeEach(() => {
  h = new ExecHarness();
});
afterEach(() => h.dispose());

describe('data tests', () => {
  it('pass, fail, warn by severity and thresholds; store_failures keeps failing rows in the audit schema', async () => {
    await h.sql(
      'CREATE SCHEMA raw',
      'CREATE TABLE raw.src AS SELECT range AS id, CASE WHEN range < 3 THEN NULL ELSE range END AS v FROM range(10)',
    );
    const m = modelNode('m', 'SELECT * FROM raw.src', { materialized: 'table' });
    const dep = { dependsOn: { nodes: ['model.t.m'], macros: [] } };
    const failing = 'SELECT * FROM main.m WHERE v IS NULL';
    const mk = (name: string, q: string, cfg: Record<string, unknown> = {}) => ({
      ...testNode(name, q, cfg, 'model.t.m'),
      ...dep,
    });
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
    const res = await h.run(nodes, 'build');
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
    expect(await h.rows('SELECT id FROM main_audit.stored ORDER BY id')).toEqual([
      { id: 0n },
      { id: 1n },
      { id: 2n },
    ]);
    // Replaced on the next run, not appended.
    await h.sql('UPDATE raw.src SET v = 1 WHERE id = 0');
    await h.run(nodes, 'build');
    expect(await h.rows('SELECT count(*) AS n FROM main_audit.stored')).toEqual([{ n: 2n }]);
  });

  it('build skips the dependants of a failing error-severity test, not of a warning one', async () => {
    await h.sql('CREATE SCHEMA raw', 'CREATE TABLE raw.src AS SELECT NULL::INTEGER AS id');
    const silver = modelNode('silver_m', 'SELECT * FROM raw.src', { materialized: 'table' });
    const gold = modelNode(
      'gold_m',
      'SELECT * FROM main.silver_m',
      { materialized: 'table' },
      { dependsOn: { nodes: ['model.t.silver_m'], macros: [] } },
    );
    const t = {
      ...testNode(
        'not_null_silver_m_id',
        'SELECT * FROM main.silver_m WHERE id IS NULL',
        {},
        'model.t.silver_m',
      ),
      dependsOn: { nodes: ['model.t.silver_m'], macros: [] },
    };
    const res = await h.run([silver, gold, t], 'build');
    expect(res.get('test.t.not_null_silver_m_id')?.status).toBe('fail');
    expect(res.get('model.t.gold_m')?.status).toBe('skipped');
    expect(res.get('model.t.gold_m')?.skippedBecause).toBe('test.t.not_null_silver_m_id');
    const warnT = { ...t, config: { ...t.config, severity: 'warn' as const } };
    const res2 = await h.run([silver, gold, warnT], 'build');
    expect(res2.get('test.t.not_null_silver_m_id')?.status).toBe('warn');
    expect(res2.get('model.t.gold_m')?.status).toBe('success');
  });
});
