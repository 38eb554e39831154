/**
 * Cycle detection over a parent map (node id → ids it depends on).
 *
 * Returns the first cycle found as a path in data-flow direction (each element is a parent of the
 * next one), starting and ending at the same node, e.g. `['a', 'b', 'c', 'a']` means
 * a feeds b, b feeds c and c feeds a. Deterministic: nodes are visited in sorted order and the
 * reported cycle is rotated so that its smallest id comes first. Iterative (no recursion), so a
 * 10,000-node chain does not overflow the stack. Returns `undefined` when the graph is acyclic.
 *
 * Ids that appear only as parents (not as keys) are treated as nodes without parents.
 */
export function findCycle(
  parentMap: Readonly<Record<string, readonly string[]>>,
): readonly string[] | undefined {
  // 0 = unvisited, 1 = on the current DFS path, 2 = done.
  const state = new Map<string, 1 | 2>();
  const ids = Object.keys(parentMap).sort();
  const sortedParents = (id: string): readonly string[] => {
    const ps = parentMap[id];
    return ps === undefined ? [] : [...ps].sort();
  };

  for (const root of ids) {
    if (state.has(root)) continue;
    // Each frame: node id, its sorted parents, next parent index.
    const stack: { id: string; parents: readonly string[]; next: number }[] = [
      { id: root, parents: sortedParents(root), next: 0 },
    ];
    state.set(root, 1);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if (frame.next >= frame.parents.length) {
        state.set(frame.id, 2);
        stack.pop();
        continue;
      }
      const parent = frame.parents[frame.next++]!;
      const s = state.get(parent);
      if (s === 2) continue;
      if (s === 1) {
        // The DFS path walks child → parent; the cycle is the path from `parent` to here.
        const start = stack.findIndex((f) => f.id === parent);
        const childToParent = stack.slice(start).map((f) => f.id);
        return normaliseCycle(childToParent.reverse());
      }
      state.set(parent, 1);
      stack.push({ id: parent, parents: sortedParents(parent), next: 0 });
    }
  }
  return undefined;
}

/** Rotates a cycle (data-flow order, without the repeated node) to start at its smallest id. */
function normaliseCycle(cycle: readonly string[]): readonly string[] {
  let min = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[min]!) min = i;
  const rotated = [...cycle.slice(min), ...cycle.slice(0, min)];
  return [...rotated, rotated[0]!];
}

/** `a → b → c → a`, the way cycles are printed in messages. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.join(' → ');
}
