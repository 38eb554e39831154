import type { Manifest } from '../compiler/manifest.js';
import { Dag } from './dag.js';

/**
 * The graph `mdl build` schedules on: the manifest DAG plus edges test → each non-test child of
 * the node(s) the test depends on, so a failing error-severity test on a silver model skips its
 * gold dependants ("tests between layers").
 *
 * An edge is left out when it would create a cycle, i.e. when the child is (through the graph
 * built so far) upstream of one of the test's own dependencies. Example: a `relationships` test
 * from fact_transactions to dim_patient depends on both; fact_transactions is a child of
 * dim_patient, but it must not wait for a test that reads fact_transactions itself.
 *
 * A test with a single dependency can never close a cycle (its children are strictly
 * downstream of it), so only multi-dependency tests need the reachability check. Tests are
 * processed in id order, which makes the result deterministic.
 */
export function buildGraph(manifest: Manifest, dag: Dag = Dag.fromManifest(manifest)): Dag {
  const n = dag.size;
  const isTest = new Uint8Array(n);
  dag.ids.forEach((id, i) => (isTest[i] = manifest.nodes[id]?.resourceType === 'test' ? 1 : 0));
  // Children lists of the graph as edges are added (for the reachability checks).
  const children: number[][] = dag.ids.map((_, i) => [...dag.childrenOf(i)]);
  const extraParents: number[][] = dag.ids.map(() => []);
  const stamp = new Int32Array(n);
  let generation = 0;

  /** True if any node in `targets` is reachable from `from` (inclusive). */
  const reaches = (from: number, targets: ReadonlySet<number>): boolean => {
    generation++;
    const stack = [from];
    stamp[from] = generation;
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (targets.has(i)) return true;
      for (const c of children[i]!) {
        if (stamp[c] === generation) continue;
        stamp[c] = generation;
        stack.push(c);
      }
    }
    return false;
  };

  for (let t = 0; t < n; t++) {
    if (isTest[t] !== 1) continue;
    const tested = dag.parentsOf(t);
    const testedSet = new Set(tested);
    const added = new Set<number>();
    for (const p of tested) {
      for (const c of dag.childrenOf(p)) {
        if (isTest[c] === 1 || added.has(c)) continue;
        if (tested.length > 1 && reaches(c, testedSet)) continue;
        added.add(c);
        children[t]!.push(c);
        extraParents[c]!.push(t);
      }
    }
  }

  const parentMap: Record<string, readonly string[]> = {};
  dag.ids.forEach((id, i) => {
    parentMap[id] = [...dag.parentsOf(i), ...extraParents[i]!].map((p) => dag.ids[p]!);
  });
  return Dag.fromParentMap(parentMap, (id) => {
    const node = manifest.nodes[id];
    return node === undefined ? {} : { file: node.originalFilePath, line: node.line };
  });
}
