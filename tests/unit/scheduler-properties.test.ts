import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeResult, NodeStatus } from '../../runner/execute/run-result.js';
import { runGraph } from '../../runner/execute/scheduler.js';
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

describe('runGraph properties', () => {
  it('respects ordering, skips exactly the descendants of failures, and bounds concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ([rawParents, selectedFlags, statuses, delays, threads]) => {
        const parentMap: Record<string, string[]> = {};
        rawParents.forEach((ps, i) => {
          parentMap[name(i)] = i === 0 ? [] : [...new Set(ps.map((p) => name(p % i)))];
        });
        const dag = Dag.fromParentMap(parentMap);
        const selected = new Set(dag.ids.filter((_, i) => selectedFlags[i]));
        const status = (id: string): NodeStatus => statuses[Number(id.slice(1))]!;
        const startedAt = new Map<string, number>();
        const finishedAt = new Map<string, number>();
        let clock = 0;
        let running = 0;
        let peak = 0;
        const results = await runGraph({
          dag,
          selected,
          threads,
          failFast: false,
          runNode: (id) => {
            startedAt.set(id, ++clock);
            peak = Math.max(peak, ++running);
            return new Promise<NodeResult>((resolve) =>
              setTimeout(
                () => {
                  running--;
                  finishedAt.set(id, ++clock);
                  const now = new Date().toISOString();
                  resolve({
                    uniqueId: id,
                    status: status(id),
                    startedAt: now,
                    completedAt: now,
                    executionTimeMs: 0,
                  });
                },
                delays[Number(id.slice(1))],
              ),
            );
          },
        });
        expect(peak).toBeLessThanOrEqual(threads);
        expect(results.map((r) => r.uniqueId).sort()).toEqual([...selected].sort());
        const byId = new Map(results.map((r) => [r.uniqueId, r]));
        for (const id of selected) {
          const selectedAncestors = [...dag.ancestors(id)].filter((a) => selected.has(a));
          const failedAncestors = selectedAncestors.filter((a) =>
            ['error', 'fail'].includes(byId.get(a)!.status),
          );
          const r = byId.get(id)!;
          if (failedAncestors.length > 0) {
            expect(r.status).toBe('skipped');
            expect(failedAncestors).toContain(r.skippedBecause);
          } else {
            expect(r.status).toBe(status(id));
            for (const a of selectedAncestors)
              expect(finishedAt.get(a)!).toBeLessThan(startedAt.get(id)!);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
