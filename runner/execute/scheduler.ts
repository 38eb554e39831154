import { MdlError } from '../errors/mdl-error.js';
import type { Dag } from '../graph/dag.js';
import { MinHeap } from '../graph/min-heap.js';
import type { NodeResult } from './run-result.js';
import {
  blocksDescendants,
  cancelledResult,
  checkedResult,
  skippedResult,
  thrownResult,
} from './scheduler-results.js';

/**
 * Progress events. `index` is 1-based and unique per selected node (assigned when the node
 * starts, or when it finishes without starting, e.g. skipped); `total` = number of selected nodes.
 */
export type SchedulerEvent =
  | {
      readonly type: 'start';
      readonly id: string;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly type: 'finish';
      readonly result: NodeResult;
      readonly index: number;
      readonly total: number;
    };

export interface RunGraphOptions {
  /** The full graph (for `mdl build`, the one from `buildGraph`, where tests gate children). */
  readonly dag: Dag;
  /** Nodes to run; every other node is a zero-time pass-through that only carries ordering. */
  readonly selected: ReadonlySet<string>;
  /** Maximum nodes running at once (≥ 1). */
  readonly threads: number;
  /** Stop at the first 'error' or 'fail': abort running nodes, skip the rest. */
  readonly failFast: boolean;
  /** External cancellation (Ctrl-C): same path as fail-fast. */
  readonly signal?: AbortSignal;
  /** Executes one node. Must honour `signal`; a throw/rejection becomes an 'error' result. */
  readonly runNode: (id: string, signal: AbortSignal) => Promise<NodeResult>;
  /** Progress listener; a throwing listener aborts the run and `runGraph` rejects with it. */
  readonly onEvent?: (e: SchedulerEvent) => void;
}

type StopReason =
  | { readonly kind: 'fail-fast'; readonly failed: string }
  | { readonly kind: 'interrupt' }
  | { readonly kind: 'internal-error' };

function describeStop(stop: StopReason): string {
  switch (stop.kind) {
    case 'fail-fast':
      return `--fail-fast stopped the run after ${stop.failed} failed`;
    case 'interrupt':
      return 'the run was interrupted';
    case 'internal-error':
      return 'the run stopped on an internal error';
  }
}

/**
 * Runs the selected nodes of `dag` in dependency order with up to `threads` at a time.
 *
 * - Ordering follows the DAG transitively through unselected nodes: with a → b → c and only a
 *   and c selected, c still waits for a (b is a pass-through that takes no time).
 * - Priority among ready nodes: the longest chain of selected nodes still downstream of the node
 *   (critical path first), ties by unique id. dbt orders by topological generation instead;
 *   critical-path-first shortens the wall time when one deep chain sits next to many shallow
 *   nodes, and is deterministic for the same graph.
 * - A result with status 'error', 'fail' or 'cancelled' makes every selected descendant (also
 *   through unselected nodes) 'skipped' with `skippedBecause` = the failed node; 'warn', 'pass',
 *   'success' and 'skipped' results do not block.
 * - `failFast` (first error/fail) and an aborted external `signal` abort the signal passed to
 *   running nodes; nodes not yet started become 'skipped', running nodes that then end with an
 *   error (or throw) become 'cancelled'. Nodes that still finish normally keep their result.
 *
 * Resolves with one result per selected node, in completion order. Never leaves a promise
 * unobserved: every `runNode` promise is awaited before this resolves.
 */
export async function runGraph(opts: RunGraphOptions): Promise<readonly NodeResult[]> {
  const { dag } = opts;
  if (!Number.isInteger(opts.threads) || opts.threads < 1) {
    throw new MdlError('E_USAGE', `threads must be a whole number ≥ 1, got ${opts.threads}`, {
      hint: 'pass --threads 1 or more (or set threads on the target)',
    });
  }
  const n = dag.size;
  const selected = new Uint8Array(n);
  for (const id of opts.selected) {
    if (!dag.has(id)) {
      throw new MdlError('E_INTERNAL', `selected node '${id}' is not in the graph`, { node: id });
    }
    selected[dag.indexOf(id)] = 1;
  }
  const priority = criticalPathLengths(dag, selected);
  return new Scheduler(opts, selected, priority).run();
}

/** Longest chain of selected nodes starting at each node (unselected nodes count 0). */
export function criticalPathLengths(dag: Dag, selected: Uint8Array): Int32Array {
  const h = new Int32Array(dag.size);
  const order = dag.topoIndexes();
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    let best = 0;
    for (const c of dag.childrenOf(i)) if (h[c]! > best) best = h[c]!;
    h[i] = best + selected[i]!;
  }
  return h;
}

/** One run's mutable state; kept in a class so every transition is a small named method. */
class Scheduler {
  private readonly opts: RunGraphOptions;
  private readonly selected: Uint8Array;
  private readonly pendingParents: Int32Array;
  /** The failed node that blocks this node, if any. */
  private readonly cause: (string | undefined)[];
  private readonly ready: MinHeap<number>;
  private readonly work: number[] = [];
  private readonly results: NodeResult[] = [];
  private readonly controller = new AbortController();
  private readonly total: number;
  private running = 0;
  private nextIndex = 0;
  private stop: StopReason | undefined;
  private fatalError: { readonly error: unknown } | undefined;
  private finish: (() => void) | undefined;

  constructor(opts: RunGraphOptions, selected: Uint8Array, priority: Int32Array) {
    this.opts = opts;
    this.selected = selected;
    const n = opts.dag.size;
    this.pendingParents = new Int32Array(n);
    for (let i = 0; i < n; i++) this.pendingParents[i] = opts.dag.parentsOf(i).length;
    this.cause = new Array<string | undefined>(n).fill(undefined);
    this.ready = new MinHeap<number>((a, b) => priority[b]! - priority[a]! || a - b);
    this.total = selected.reduce((s, v) => s + v, 0);
  }

  run(): Promise<readonly NodeResult[]> {
    const external = this.opts.signal;
    const onAbort = (): void => this.halt({ kind: 'interrupt' });
    return new Promise<readonly NodeResult[]>((resolve, reject) => {
      this.finish = () => {
        external?.removeEventListener('abort', onAbort);
        if (this.fatalError !== undefined) {
          const { error } = this.fatalError;
          reject(error instanceof Error ? error : new Error(String(error)));
        } else resolve(this.results);
      };
      if (external?.aborted === true) this.stop = { kind: 'interrupt' };
      else external?.addEventListener('abort', onAbort, { once: true });
      for (let i = 0; i < this.opts.dag.size; i++) {
        if (this.pendingParents[i] === 0) this.work.push(i);
      }
      this.advance();
    });
  }

  /** Settles released nodes, starts ready ones, and resolves when nothing is left. */
  private advance(): void {
    this.settleReleased();
    while (this.stop === undefined && this.running < this.opts.threads && this.ready.size > 0) {
      this.start(this.ready.pop()!);
    }
    if (this.running === 0 && this.ready.size === 0 && this.work.length === 0) {
      const f = this.finish;
      this.finish = undefined;
      f?.();
    }
  }

  /** Iterative (no recursion): long chains of skipped/unselected nodes cannot blow the stack. */
  private settleReleased(): void {
    while (this.work.length > 0) {
      const i = this.work.pop()!;
      const id = this.opts.dag.ids[i]!;
      if (this.selected[i] !== 1) {
        this.complete(i, this.cause[i]);
        continue;
      }
      const cause = this.cause[i];
      if (cause !== undefined) {
        this.record(skippedResult(id, `skipped: upstream node ${cause} failed`, cause), undefined);
        this.complete(i, cause);
      } else if (this.stop !== undefined) {
        const because = this.stop.kind === 'fail-fast' ? this.stop.failed : undefined;
        this.record(skippedResult(id, `skipped: ${describeStop(this.stop)}`, because), undefined);
        this.complete(i, undefined);
      } else {
        this.ready.push(i);
      }
    }
  }

  /** Marks node `i` done for ordering purposes and releases children whose parents are done. */
  private complete(i: number, blockedBy: string | undefined): void {
    for (const c of this.opts.dag.childrenOf(i)) {
      if (blockedBy !== undefined && this.cause[c] === undefined) this.cause[c] = blockedBy;
      this.pendingParents[c] = this.pendingParents[c]! - 1;
      if (this.pendingParents[c] === 0) this.work.push(c);
    }
  }

  private start(i: number): void {
    const id = this.opts.dag.ids[i]!;
    const index = ++this.nextIndex;
    this.running++;
    this.emit({ type: 'start', id, index, total: this.total });
    const startedMs = Date.now();
    let promise: Promise<NodeResult>;
    try {
      // A listener may have stopped the run while handling this node's start event.
      promise =
        this.stop === undefined
          ? this.opts.runNode(id, this.controller.signal)
          : Promise.reject(new MdlError('E_CANCELLED', 'stopped before it started'));
    } catch (err) {
      promise = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    // Every outcome is handled; an unexpected throw inside the bookkeeping itself ends the run
    // through `fatal` instead of becoming an unhandled rejection (or a hang).
    void Promise.resolve(promise)
      .then(
        (result) => this.onDone(i, index, checkedResult(id, result, startedMs)),
        (err: unknown) => this.onDone(i, index, thrownResult(id, err, startedMs)),
      )
      .catch((err: unknown) => this.fatal(err));
  }

  /** Last resort for a bug in the bookkeeping: stop, then reject once nothing is running. */
  private fatal(error: unknown): void {
    this.fatalError ??= { error };
    this.halt({ kind: 'internal-error' });
    this.advance();
  }

  private onDone(i: number, index: number, raw: NodeResult): void {
    this.running--;
    const abortedWhileRunning = this.stop !== undefined;
    const result =
      abortedWhileRunning && (raw.status === 'error' || raw.status === 'cancelled')
        ? cancelledResult(raw, describeStop(this.stop!))
        : raw;
    this.record(result, index);
    const failed = blocksDescendants(result.status);
    if (failed && this.opts.failFast && this.stop === undefined && result.status !== 'cancelled') {
      this.halt({ kind: 'fail-fast', failed: result.uniqueId });
    }
    // A node cancelled by the stop is not the cause of anything: its descendants are skipped
    // with the stop's reason (the node that failed first, or the interrupt).
    const isCause = failed && !(abortedWhileRunning && result.status === 'cancelled');
    this.complete(i, isCause ? result.uniqueId : this.cause[i]);
    this.advance();
  }

  /** Stops starting nodes, aborts running ones, and turns queued ones into skips. */
  private halt(reason: StopReason): void {
    if (this.stop !== undefined) return;
    this.stop = reason;
    this.controller.abort(new MdlError('E_CANCELLED', describeStop(reason)));
    // Queued nodes go back through settleReleased, which skips them now that `stop` is set.
    for (const i of this.ready.drain()) this.work.push(i);
    if (reason.kind === 'interrupt') this.advance();
  }

  private record(result: NodeResult, startedIndex: number | undefined): void {
    this.results.push(result);
    const index = startedIndex ?? ++this.nextIndex;
    this.emit({ type: 'finish', result, index, total: this.total });
  }

  private emit(e: SchedulerEvent): void {
    if (this.opts.onEvent === undefined) return;
    try {
      this.opts.onEvent(e);
    } catch (error) {
      // Keep the first listener error; the run winds down and runGraph rejects with it.
      this.fatalError ??= { error };
      this.halt({ kind: 'internal-error' });
    }
  }
}
