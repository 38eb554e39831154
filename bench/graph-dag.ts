/**
 * Why runner/graph/dag.ts is hand-written: builds a 10,000-model manifest (plus one test per
 * model) and times the operations selection and scheduling need, on the hand-written Dag and on
 * @dagrejs/graphlib. Also times selection itself. Run: `npx vite-node bench/graph-dag.ts`.
 * Figures are the best of 15 runs, so a busy machine inflates them less.
 */
import { Graph, alg } from '@dagrejs/graphlib';
import { Dag } from '../runner/graph/dag.js';
import { selectNodes, selectNodesDetailed } from '../runner/graph/select.js';
import { syntheticManifest } from '../tests/helpers/manifest-factory.js';

function time<T>(fn: () => T, reps = 15): { ms: number; value: T } {
  let best = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, performance.now() - t0);
  }
  return { ms: best, value: value! };
}

const manifest = syntheticManifest(10_000);
const nodeCount = Object.keys(manifest.nodes).length;
const root = 'model.proj.m0';

// A shallow copy is a new manifest object, so Dag.fromManifest's per-manifest memo is bypassed.
const ours = time(() => {
  const dag = Dag.fromManifest({ ...manifest });
  const topo = dag.topoOrder();
  const desc = dag.descendants(root);
  return topo.length + desc.size;
});

const theirs = time(() => {
  const g = new Graph({ directed: true });
  for (const [id, node] of Object.entries(manifest.nodes)) {
    g.setNode(id);
    for (const p of node.dependsOn.nodes) g.setEdge(p, id);
  }
  const topo = alg.topsort(g);
  // descendants: graphlib has no helper; preorder from the root is the closest equivalent.
  const desc = alg.preorder(g, [root]);
  return topo.length + desc.length - 1;
});

if (ours.value !== theirs.value) throw new Error(`mismatch: ${ours.value} vs ${theirs.value}`);
console.log(`nodes: ${nodeCount} (10,000 models + 10,000 tests)`);
console.log(
  `build + topological sort + descendants: hand-written ${ours.ms.toFixed(1)} ms, ` +
    `graphlib ${theirs.ms.toFixed(1)} ms (graphlib/hand-written = ${(theirs.ms / ours.ms).toFixed(1)})`,
);

const dag = Dag.fromManifest(manifest);
for (const select of [['layer5+'], ['+layer5'], ['@m5000'], ['tag:five,layer3+'], ['*']]) {
  const criteria = { select, exclude: ['layer9'] };
  const fresh = time(() => selectNodes({ ...manifest }, criteria, []));
  const reused = time(() => selectNodesDetailed(manifest, criteria, [], dag).selected);
  console.log(
    `select ${select.join(' ')} --exclude layer9: ${fresh.value.size} nodes; ` +
      `${reused.ms.toFixed(1)} ms on a built DAG, ${fresh.ms.toFixed(1)} ms including the DAG build`,
  );
}
