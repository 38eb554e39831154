import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../runner/execute/run-result.js';
import { Dag } from '../../runner/graph/dag.js';

/** A random DAG: node i may depend on any j < i (so it is acyclic by construction). */
const dagArb = fc.integer({ min: 1, max: 25 }).chain((n) =>
  fc.tuple(
    fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 3 }), {
      minLength: n,
      maxLength: n,
    }),
    fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    fc.array(
      fc.constantFrom<NodeStatus>('success', 'success', 'success', 'error', 'fail', 'warn', 'pass'),
      {
        minLength: n,
        maxLength: n,
      },
    ),
    fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
    fc.integer({ min: 1, max: 5 }),
  ),
);

const name = (i: number): string => `n${String(i).padStart(2, '0')}`;

describe('Dag properties', () => {
  it('topological order, depths and subgraph reachability agree with the edges', () => {
    fc.assert(
      fc.property(dagArb, ([rawParents, keepFlags]) => {
        const parentMap: Record<string, string[]> = {};
        rawParents.forEach((ps, i) => {
          parentMap[name(i)] = i === 0 ? [] : [...new Set(ps.map((p) => name(p % i)))];
        });
        const dag = Dag.fromParentMap(parentMap);
        const pos = new Map(dag.topoOrder().map((id, i) => [id, i]));
        const depth = dag.depths();
        for (const id of dag.ids) {
          for (const p of dag.parents(id)) {
            expect(pos.get(p)!).toBeLessThan(pos.get(id)!);
            expect(depth.get(p)!).toBeLessThan(depth.get(id)!);
          }
        }
        const keep = dag.ids.filter((_, i) => keepFlags[i]);
        const sub = dag.subgraph(keep);
        for (const a of keep) {
          const subDesc = sub.descendants(a);
          const fullDesc = dag.descendants(a);
          for (const b of keep) expect(subDesc.has(b)).toBe(fullDesc.has(b));
        }
      }),
      { numRuns: 200 },
    );
  });
});
