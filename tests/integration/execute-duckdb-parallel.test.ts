import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExecHarness } from '../helpers/exec-harness.js';
import { modelNode } from '../helpers/node-factory.js';

let h: ExecHarness;
beforeEach(() => {
  h = new ExecHarness();
});
afterEach(() => h.dispose());

describe('parallel execution on one DuckDB file', () => {
  it('60 tables/views/incrementals in one schema, 4 threads, twice: no catalog conflicts', async () => {
    const root = modelNode('root', 'SELECT range AS id FROM range(1000)', {
      materialized: 'table',
    });
    const dep = { dependsOn: { nodes: ['model.t.root'], macros: [] } };
    const kinds = ['table', 'view', 'incremental'] as const;
    const nodes = [
      root,
      ...Array.from({ length: 60 }, (_, i) =>
        modelNode(
          `m${i}`,
          `SELECT id, id * ${i} AS v FROM main.root`,
          { materialized: kinds[i % 3]!, ...(i % 3 === 2 ? { unique_key: ['id'] } : {}) },
          dep,
        ),
      ),
    ];
    for (let round = 0; round < 2; round++) {
      const res = await h.run(nodes, 'run', { threads: 4 });
      const bad = [...res.values()].filter((r) => r.status !== 'success');
      expect(bad.map((r) => `${r.uniqueId}: ${r.message ?? ''}`)).toEqual([]);
    }
    expect(await h.rows('SELECT count(*) AS n, sum(v) AS s FROM main.m59')).toEqual([
      { n: 1000n, s: 59n * 499500n },
    ]);
    expect(await h.tempRelations()).toEqual([]);
  });

  it('--fail-fast cancels a long statement running beside the failure and rolls it back', async () => {
    await h.sql('CREATE TABLE main.slow AS SELECT 1 AS n');
    const slow = modelNode('slow', 'SELECT count(*) AS n FROM range(4000000000) a', {
      materialized: 'table',
    });
    const bad = modelNode(
      'bad',
      "SELECT CAST(coalesce(CAST(sleep_ms(300) AS VARCHAR), 'x') AS INTEGER) AS n",
      {
        materialized: 'table',
      },
    );
    const t0 = performance.now();
    const res = await h.run([slow, bad], 'run', { threads: 2, failFast: true });
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(res.get('model.t.bad')?.status).toBe('error');
    expect(res.get('model.t.slow')?.status).toBe('cancelled');
    expect(await h.rows('SELECT n FROM main.slow')).toEqual([{ n: 1 }]);
    expect(await h.tempRelations()).toEqual([]);
  });
});
